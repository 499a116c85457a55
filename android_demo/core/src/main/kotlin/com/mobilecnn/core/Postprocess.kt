package com.mobilecnn.core

import kotlin.math.exp

/** One class of a classification: its index, label and probability. */
data class Prediction(val index: Int, val label: String, val probability: Double)

/**
 * The model's raw output to class probabilities and the top k, as mobilecnn/export/pixels.py does it:
 * `(q - zeroPoint) * scale` in double for int8/uint8 outputs, a softmax (`exp(x - max) / sum`) unless the model
 * ends in one, and the k most probable classes, ties to the lower index.
 */
object Postprocess {
    /** Real values of a quantized output (`TensorBuffer.readInt8`: uint8 values arrive as the same bytes). */
    fun dequantize(raw: ByteArray, tensor: TensorInfo): DoubleArray {
        val q = tensor.quantization ?: error("a ${tensor.type.json} output has no quantization")
        return DoubleArray(raw.size) {
            val value = if (tensor.type == TensorType.UINT8) raw[it].toInt() and 0xff else raw[it].toInt()
            (value - q.zeroPoint) * q.scale
        }
    }

    fun softmax(logits: DoubleArray): DoubleArray {
        val max = logits.maxOrNull() ?: return logits
        val e = DoubleArray(logits.size) { exp(logits[it] - max) }
        val sum = e.sum()
        return DoubleArray(e.size) { e[it] / sum }
    }

    fun probabilities(values: DoubleArray, info: ModelInfo): DoubleArray =
        if (info.outputIsSoftmax) values else softmax(values)

    fun probabilities(raw: ByteArray, info: ModelInfo): DoubleArray = probabilities(dequantize(raw, info.output), info)

    fun probabilities(raw: FloatArray, info: ModelInfo): DoubleArray =
        probabilities(DoubleArray(raw.size) { raw[it].toDouble() }, info)

    fun topK(probabilities: DoubleArray, labels: List<String>, k: Int = 5): List<Prediction> =
        probabilities.indices
            .sortedWith(compareByDescending<Int> { probabilities[it] }.thenBy { it })
            .take(k)
            .map { Prediction(it, labels.getOrElse(it) { i -> "class_$i" }, probabilities[it]) }
}
