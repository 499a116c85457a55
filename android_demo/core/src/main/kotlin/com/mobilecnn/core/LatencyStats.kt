package com.mobilecnn.core

import kotlin.math.ceil
import kotlin.math.floor
import kotlin.math.sqrt

/**
 * Latency figures of a benchmark in milliseconds, the benchmark record's `latency_ms` fields: percentiles
 * interpolate linearly between the two nearest samples (numpy's default, as the desktop benchmark computes
 * them), `std` is the population standard deviation.
 */
data class LatencyStats(
    val count: Int, val median: Double, val p90: Double, val p95: Double, val min: Double, val max: Double,
    val mean: Double, val std: Double,
) {
    companion object {
        fun of(samplesMs: List<Double>): LatencyStats {
            require(samplesMs.isNotEmpty()) { "no timed runs" }
            require(samplesMs.all { it.isFinite() && it >= 0.0 }) { "latencies must be finite and non-negative" }
            val sorted = samplesMs.sorted()
            val mean = sorted.sum() / sorted.size
            val variance = sorted.sumOf { (it - mean) * (it - mean) } / sorted.size
            return LatencyStats(sorted.size, percentile(sorted, 50.0), percentile(sorted, 90.0), percentile(sorted, 95.0),
                sorted.first(), sorted.last(), mean, sqrt(variance))
        }

        /** The `p`-th percentile of ascending `sorted`, linear between neighbours. */
        fun percentile(sorted: List<Double>, p: Double): Double {
            require(p in 0.0..100.0) { "percentile $p outside 0..100" }
            val position = (sorted.size - 1) * p / 100.0
            val lo = floor(position).toInt()
            val hi = ceil(position).toInt()
            return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo)
        }
    }
}
