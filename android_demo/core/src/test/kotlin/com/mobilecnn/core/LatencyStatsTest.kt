package com.mobilecnn.core

import org.junit.Assert.assertEquals
import org.junit.Test

class LatencyStatsTest {
    @Test
    fun percentilesInterpolateLikeNumpy() {
        // numpy: median 5.5, percentile 90 -> 9.1, 95 -> 9.55, std 2.8722813232690143 for 1..10 in any order.
        val s = LatencyStats.of(listOf(3.0, 1.0, 2.0, 10.0, 9.0, 4.0, 5.0, 8.0, 6.0, 7.0))
        assertEquals(5.5, s.median, 1e-12)
        assertEquals(9.1, s.p90, 1e-12)
        assertEquals(9.55, s.p95, 1e-12)
        assertEquals(1.0, s.min, 0.0)
        assertEquals(10.0, s.max, 0.0)
        assertEquals(5.5, s.mean, 1e-12)
        assertEquals(2.8722813232690143, s.std, 1e-12)
        assertEquals(10, s.count)
        assertEquals(4.0, LatencyStats.of(listOf(4.0)).p90, 0.0)
    }
}
