package com.mobilecnn.core

import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Test

class PostprocessTest {
    @Test
    fun dequantizesUint8AndInt8() {
        val u8 = TensorInfo(listOf(1, 3), TensorType.UINT8, Quantization(0.5, 128))
        assertArrayEquals(doubleArrayOf(-64.0, 0.0, 63.5), Postprocess.dequantize(byteArrayOf(0, 128.toByte(), 255.toByte()), u8), 0.0)
        val i8 = TensorInfo(listOf(1, 3), TensorType.INT8, Quantization(0.25, -128))
        assertArrayEquals(doubleArrayOf(0.0, 32.0, 63.75), Postprocess.dequantize(byteArrayOf(-128, 0, 127), i8), 0.0)
    }

    @Test
    fun softmaxIsStableAndSumsToOne() {
        val p = Postprocess.softmax(doubleArrayOf(1000.0, 1000.0, 999.0))
        assertEquals(1.0, p.sum(), 1e-15)
        assertEquals(p[0], p[1], 0.0)
        assertEquals(Math.exp(-1.0) * p[0], p[2], 1e-15)
    }

    @Test
    fun topKBreaksTiesToTheLowerIndex() {
        val top = Postprocess.topK(doubleArrayOf(0.1, 0.3, 0.1, 0.3, 0.2), listOf("a", "b", "c", "d", "e"), 4)
        assertEquals(listOf(1, 3, 4, 0), top.map { it.index })
        assertEquals(listOf("b", "d", "e", "a"), top.map { it.label })
    }
}
