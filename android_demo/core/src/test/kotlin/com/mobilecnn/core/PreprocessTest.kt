package com.mobilecnn.core

import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Test

class PreprocessTest {
    private fun info(h: Int, w: Int, dtype: String = "float32", scale: String = "[1.0, 1.0, 1.0]",
                     offset: String = "[0.0, 0.0, 0.0]", zero: Int = 0, qscale: Double = 1.0): ModelInfo {
        val q = if (dtype == "float32") "null" else """{"scale": $qscale, "zero_point": $zero}"""
        return ModelInfo.parse(sampleInfo(dtype = dtype, quantization = q, shape = "[1, $h, $w, 3]")
            .replace(""""scale": [1.0, 1.0, 1.0], "offset": [0.0, 0.0, 0.0]""", """"scale": $scale, "offset": $offset"""))
    }

    @Test
    fun cropsToTheModelsAspectRatio() {
        val square = Preprocessor(info(96, 96))
        assertEquals(CropBox(75, 0, 300, 300), square.cropBox(451, 300))   // landscape: columns cut
        assertEquals(CropBox(0, 100, 400, 400), square.cropBox(400, 600))  // portrait: rows cut
        assertEquals(CropBox(0, 0, 512, 512), square.cropBox(512, 512))
        val portrait = Preprocessor(info(96, 64))
        assertEquals(CropBox(125, 0, 200, 300), portrait.cropBox(451, 300))  // 300 * 64 / 96 = 200
        assertEquals(CropBox(0, 0, 451, 300), Preprocessor(info(96, 96), centerCrop = false).cropBox(451, 300))
    }

    @Test
    fun bilinearWithHalfPixelCentres() {
        // 2x1 photo, black then white, to 1x4: samples at s = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25.
        val p = Preprocessor(info(1, 4), centerCrop = false)
        val v = p.values(intArrayOf(0xff000000.toInt(), 0xffffffff.toInt()), 2, 1)
        assertArrayEquals(doubleArrayOf(0.0, 0.0, 0.0, 63.75, 63.75, 63.75, 191.25, 191.25, 191.25, 255.0, 255.0, 255.0), v, 0.0)
    }

    @Test
    fun channelsAreRgbAndScaledPerChannel() {
        val p = Preprocessor(info(1, 1, scale = "[1.0, 0.5, 2.0]", offset = "[0.0, -1.0, 1.0]"))
        val argb = intArrayOf(0xff102030.toInt())  // R 16, G 32, B 48
        assertArrayEquals(doubleArrayOf(16.0, 15.0, 97.0), p.values(argb, 1, 1), 0.0)
        assertArrayEquals(doubleArrayOf(48.0, 15.0, 33.0), Preprocessor(info(1, 1, scale = "[1.0, 0.5, 2.0]",
            offset = "[0.0, -1.0, 1.0]"), ChannelOrder.BGR).values(argb, 1, 1), 0.0)
    }

    @Test
    fun quantizesWithRoundHalfToEvenAndClamps() {
        // x / 2 + 3: R 5 -> 5.5 -> 6 (even), G 7 -> 6.5 -> 6, B 255 -> 130.5 -> 127 (int8 clamp)
        val argb = intArrayOf(0xff0507ff.toInt())
        val int8 = Preprocessor(info(1, 1, dtype = "int8", qscale = 2.0, zero = 3)).quantized(argb, 1, 1)
        assertArrayEquals(byteArrayOf(6, 6, 127), int8)
        val uint8 = Preprocessor(info(1, 1, dtype = "uint8", qscale = 2.0, zero = 3)).quantized(argb, 1, 1)
        assertArrayEquals(byteArrayOf(6, 6, 130.toByte()), uint8)
    }

    @Test(expected = IllegalArgumentException::class)
    fun refusesAPixelCountThatIsNotTheSize() {
        Preprocessor(info(2, 2)).values(IntArray(5), 2, 2)
    }
}
