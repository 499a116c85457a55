package com.mobilecnn.core

/** The element types the app feeds and reads; uint8 travels as the same bytes as int8. */
enum class TensorType(val json: String, val bytesPerElement: Int) {
    FLOAT32("float32", 4), INT8("int8", 1), UINT8("uint8", 1);

    val quantized get() = this != FLOAT32
    val min get() = if (this == UINT8) 0 else -128
    val max get() = if (this == UINT8) 255 else 127

    companion object {
        fun of(json: String): TensorType = entries.firstOrNull { it.json == json }
            ?: throw JsonException("tensor type \"$json\": the app takes ${entries.joinToString { it.json }}")
    }
}

/** A quantized tensor's real value is `(q - zeroPoint) * scale`. */
data class Quantization(val scale: Double, val zeroPoint: Int)

data class TensorInfo(val shape: List<Int>, val type: TensorType, val quantization: Quantization?) {
    val elements get() = shape.fold(1) { a, b -> a * b }
}

/** From [0, 255] RGB pixels: `x = pixel * scale[c] + offset[c]`, after a center crop (or not) and a resize. */
data class Preprocessing(val scale: List<Double>, val offset: List<Double>, val centerCrop: Boolean, val note: String)

/** The published figures of the model's architecture (null where none are known). */
data class Reference(val params: Long?, val macs: Long?, val top1: Double?, val top1Source: String)

/**
 * `model_info.json`, written by `mobilecnn export ... --android-assets DIR` (mobilecnn/export/assets.py, schema
 * `mobilecnn.model_info/1`): what the app needs to feed the model and read its answer.
 */
data class ModelInfo(
    val model: String,
    val options: Map<String, Any?>,
    val precision: String,
    val ioType: String,
    val modelFile: String,
    val labelsFile: String,
    val modelSha256: String,
    val modelSize: Long,
    val numClasses: Int,
    val input: TensorInfo,
    val output: TensorInfo,
    val outputIsSoftmax: Boolean,
    val preprocessing: Preprocessing,
    val reference: Reference,
    val params: Long?,
    val macs: Long?,
    val mobilecnnVersion: String,
) {
    val height get() = input.shape[1]
    val width get() = input.shape[2]

    companion object {
        const val SCHEMA = "mobilecnn.model_info/1"

        /** Parse and check `model_info.json`; a [JsonException] names the field that is wrong. */
        fun parse(text: String): ModelInfo {
            val root = Json.parse(text) as? Map<*, *> ?: throw JsonException("model_info.json is not a JSON object")
            val f = Fields(root.entries.associate { (k, v) -> k.toString() to v }, "model_info.json")
            val schema = f.string("schema")
            if (schema != SCHEMA) throw JsonException("model_info.json: schema \"$schema\", this app reads \"$SCHEMA\"")
            val input = tensor(f.obj("input"))
            val output = tensor(f.obj("output"))
            val classes = f.int("num_classes")
            if (input.shape.size != 4 || input.shape[0] != 1 || input.shape[3] != 3 || input.shape[1] < 1 || input.shape[2] < 1) {
                throw JsonException("model_info.json: input shape ${input.shape}, expected [1, height, width, 3]")
            }
            if (output.shape != listOf(1, classes) || classes < 2) {
                throw JsonException("model_info.json: output shape ${output.shape}, expected [1, num_classes] = [1, $classes]")
            }
            val pre = f.obj("preprocessing")
            val scale = pre.doubles("scale")
            val offset = pre.doubles("offset")
            if (scale.size != 3 || offset.size != 3) throw JsonException("model_info.json: preprocessing needs 3 scales and 3 offsets")
            val crop = pre.string("crop")
            if (crop != "center" && crop != "none") throw JsonException("model_info.json: crop \"$crop\", expected center or none")
            val resize = pre.string("resize")
            if (resize != "bilinear") throw JsonException("model_info.json: resize \"$resize\", this app does bilinear")
            val ref = f.optObj("reference")
            val files = f.obj("files")
            return ModelInfo(
                model = f.string("model"),
                options = (f.raw("options") as? Map<*, *>)?.entries?.associate { (k, v) -> k.toString() to v } ?: emptyMap(),
                precision = f.string("precision"),
                ioType = f.string("io_type"),
                modelFile = files.string("model"),
                labelsFile = files.string("labels"),
                modelSha256 = f.string("model_sha256"),
                modelSize = f.int("model_size").toLong(),
                numClasses = classes,
                input = input,
                output = output,
                outputIsSoftmax = f.obj("output").bool("softmax"),
                preprocessing = Preprocessing(scale, offset, crop == "center", if (pre.has("note")) pre.string("note") else ""),
                reference = Reference(
                    ref?.raw("params") as? Long, ref?.raw("macs") as? Long,
                    (ref?.raw("top1") as? Number)?.toDouble(), ref?.raw("top1_source") as? String ?: "",
                ),
                params = f.raw("params") as? Long,
                macs = f.raw("macs") as? Long,
                mobilecnnVersion = if (f.has("mobilecnn_version")) f.string("mobilecnn_version") else "",
            )
        }

        private fun tensor(t: Fields): TensorInfo {
            val type = TensorType.of(t.string("dtype"))
            val q = t.optObj("quantization")
            val quantization = q?.let { Quantization(it.double("scale"), it.int("zero_point")) }
            if (type.quantized && (quantization == null || !(quantization.scale > 0.0))) {
                throw JsonException("model_info.json: a ${type.json} tensor needs quantization with a positive scale")
            }
            if (quantization != null && (quantization.zeroPoint < type.min || quantization.zeroPoint > type.max)) {
                throw JsonException("model_info.json: zero point ${quantization.zeroPoint} outside ${type.json}")
            }
            return TensorInfo(t.ints("shape"), type, if (type.quantized) quantization else null)
        }
    }
}

/** `labels.txt`: one class name a line, as many as the model has classes. */
object Labels {
    fun parse(text: String, classes: Int): List<String> {
        val lines = text.split("\n").map { it.trimEnd('\r') }.toMutableList()
        while (lines.isNotEmpty() && lines.last().isBlank()) lines.removeAt(lines.size - 1)
        if (lines.size != classes) throw IllegalArgumentException("labels.txt has ${lines.size} labels, the model $classes classes")
        return lines.map { it.trim() }
    }
}
