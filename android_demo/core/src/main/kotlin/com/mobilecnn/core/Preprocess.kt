package com.mobilecnn.core

import java.nio.ByteBuffer
import java.nio.ByteOrder
import kotlin.math.floor

/** Which channel comes first in the tensor. The models take RGB; BGR exists to show that a mix-up is caught. */
enum class ChannelOrder { RGB, BGR }

/** The crop taken from a photo: columns `x0 until x0 + width`, rows `y0 until y0 + height`. */
data class CropBox(val x0: Int, val y0: Int, val width: Int, val height: Int)

/**
 * A photo's ARGB pixels (Android's `Bitmap.getPixels` order: row by row, `0xAARRGGBB`) to the model's input.
 *
 * The algorithm is mobilecnn's reference (mobilecnn/export/pixels.py), reproduced operation by operation in
 * double precision so that both give the same bytes:
 *
 * 1. center crop to the model's aspect ratio, in integers: a photo wider than the model (`W * h > H * w`)
 *    keeps `cw = H * w / h` columns from `x0 = (W - cw) / 2`, otherwise `ch = W * h / w` rows from
 *    `y0 = (H - ch) / 2` (integer division);
 * 2. bilinear resize with half-pixel centres, no antialiasing: `s = (i + 0.5) * cw / w - 0.5` clamped to
 *    `[0, cw - 1]`, `j0 = floor(s)`, `j1 = min(j0 + 1, cw - 1)`, `f = s - j0` (rows alike), and
 *    `(p00 * (1 - f) + p01 * f) * (1 - g) + (p10 * (1 - f) + p11 * f) * g`;
 * 3. `x = v * scale[c] + offset[c]`;
 * 4. float32 by rounding to nearest, or `clamp(rint(x / scale + zeroPoint))` for int8/uint8.
 */
class Preprocessor(
    private val info: ModelInfo,
    private val channelOrder: ChannelOrder = ChannelOrder.RGB,
    private val centerCrop: Boolean = info.preprocessing.centerCrop,
) {
    private val outH = info.height
    private val outW = info.width

    fun cropBox(width: Int, height: Int): CropBox {
        if (!centerCrop) return CropBox(0, 0, width, height)
        return if (width.toLong() * outH > height.toLong() * outW) {
            val crop = (height.toLong() * outW / outH).toInt()
            CropBox((width - crop) / 2, 0, crop, height)
        } else {
            val crop = (width.toLong() * outH / outW).toInt()
            CropBox(0, (height - crop) / 2, width, crop)
        }
    }

    /** Steps 1-3: `h * w * 3` values, row by row, channels in [channelOrder]. */
    fun values(argb: IntArray, width: Int, height: Int): DoubleArray {
        require(width > 0 && height > 0 && argb.size == width * height) {
            "expected ${width}x$height = ${width * height} pixels, got ${argb.size}"
        }
        val box = cropBox(width, height)
        val cols = taps(outW, box.width, box.x0)
        val rows = taps(outH, box.height, box.y0)
        val scale = info.preprocessing.scale
        val offset = info.preprocessing.offset
        val shifts = if (channelOrder == ChannelOrder.RGB) intArrayOf(16, 8, 0) else intArrayOf(0, 8, 16)
        val out = DoubleArray(outH * outW * 3)
        for (y in 0 until outH) {
            val r0 = rows.first[y] * width
            val r1 = rows.second[y] * width
            val g = rows.third[y]
            for (x in 0 until outW) {
                val c0 = cols.first[x]
                val c1 = cols.second[x]
                val f = cols.third[x]
                for (c in 0 until 3) {
                    val shift = shifts[c]
                    val p00 = ((argb[r0 + c0] shr shift) and 0xff).toDouble()
                    val p01 = ((argb[r0 + c1] shr shift) and 0xff).toDouble()
                    val p10 = ((argb[r1 + c0] shr shift) and 0xff).toDouble()
                    val p11 = ((argb[r1 + c1] shr shift) and 0xff).toDouble()
                    val top = p00 * (1 - f) + p01 * f
                    val bottom = p10 * (1 - f) + p11 * f
                    val v = top * (1 - g) + bottom * g
                    out[(y * outW + x) * 3 + c] = v * scale[c] + offset[c]
                }
            }
        }
        return out
    }

    /** The input for a float32 model (`TensorBuffer.writeFloat`). */
    fun floats(argb: IntArray, width: Int, height: Int): FloatArray {
        check(info.input.type == TensorType.FLOAT32) { "the model takes ${info.input.type.json}, not float32" }
        val v = values(argb, width, height)
        return FloatArray(v.size) { v[it].toFloat() }
    }

    /** The input for an int8 or uint8 model (`TensorBuffer.writeInt8`: uint8 values as the same bytes). */
    fun quantized(argb: IntArray, width: Int, height: Int): ByteArray {
        val type = info.input.type
        val q = info.input.quantization ?: error("the model takes ${type.json}, not a quantized type")
        val v = values(argb, width, height)
        return ByteArray(v.size) {
            Math.rint(v[it] / q.scale + q.zeroPoint).coerceIn(type.min.toDouble(), type.max.toDouble()).toInt().toByte()
        }
    }

    /** The input tensor's bytes, whatever its type (float32 little-endian, as the golden files hold them). */
    fun tensorBytes(argb: IntArray, width: Int, height: Int): ByteArray {
        if (info.input.type.quantized) return quantized(argb, width, height)
        val floats = floats(argb, width, height)
        val buffer = ByteBuffer.allocate(floats.size * 4).order(ByteOrder.LITTLE_ENDIAN)
        buffer.asFloatBuffer().put(floats)
        return buffer.array()
    }

    private fun taps(out: Int, crop: Int, start: Int): Triple<IntArray, IntArray, DoubleArray> {
        val i0 = IntArray(out)
        val i1 = IntArray(out)
        val frac = DoubleArray(out)
        for (i in 0 until out) {
            val s = ((i + 0.5) * crop / out - 0.5).coerceIn(0.0, (crop - 1).toDouble())
            val j = floor(s).toInt()
            i0[i] = j + start
            i1[i] = minOf(j + 1, crop - 1) + start
            frac[i] = s - j
        }
        return Triple(i0, i1, frac)
    }
}
