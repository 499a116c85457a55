package com.mobilecnn.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test

/** A model_info.json as mobilecnn/export/assets.py writes it. */
fun sampleInfo(dtype: String = "uint8", quantization: String = """{"scale": 1.0000003576278687, "zero_point": 0}""",
               shape: String = "[1, 96, 64, 3]", output: String = "[1, 10]", softmax: Boolean = true,
               schema: String = ModelInfo.SCHEMA): String = """
{
  "schema": "$schema", "model": "shufflenet-v2", "options": {"width_multiplier": 0.5, "resolution": [96, 64]},
  "precision": "int8", "io_type": "$dtype", "files": {"model": "model.tflite", "labels": "labels.txt"},
  "model_sha256": "00ff", "model_size": 519384, "num_classes": 10,
  "input": {"shape": $shape, "dtype": "$dtype", "quantization": $quantization, "layout": "NHWC", "channels": "RGB"},
  "output": {"shape": $output, "dtype": "$dtype", "quantization": {"scale": 0.00390625, "zero_point": 0}, "softmax": $softmax},
  "preprocessing": {"crop": "center", "resize": "bilinear", "scale": [1.0, 1.0, 1.0], "offset": [0.0, 0.0, 0.0],
                    "note": "the model normalizes itself"},
  "labels_source": "default", "reference": {"params": 1366792, "macs": 41000000, "top1": 60.6, "top1_source": "paper"},
  "params": 359994, "macs": 4841152, "verification": null, "benchmark": null, "mobilecnn_version": "0.1.0"
}"""

class ModelInfoTest {
    @Test
    fun readsTheAssetsWritersFile() {
        val info = ModelInfo.parse(sampleInfo())
        assertEquals(96, info.height)
        assertEquals(64, info.width)
        assertEquals(TensorType.UINT8, info.input.type)
        assertEquals(Quantization(1.0000003576278687, 0), info.input.quantization)
        assertEquals(Quantization(0.00390625, 0), info.output.quantization)
        assertEquals(10, info.numClasses)
        assertTrue(info.outputIsSoftmax)
        assertTrue(info.preprocessing.centerCrop)
        assertEquals(listOf(1.0, 1.0, 1.0), info.preprocessing.scale)
        assertEquals(Reference(1366792L, 41000000L, 60.6, "paper"), info.reference)
        assertEquals(359994L, info.params)
        assertEquals(listOf(96L, 64L), info.options["resolution"])
    }

    @Test
    fun floatTensorsNeedNoQuantization() {
        val info = ModelInfo.parse(sampleInfo(dtype = "float32", quantization = "null").replace(
            """"dtype": "float32", "quantization": {"scale": 0.00390625, "zero_point": 0}""", """"dtype": "float32", "quantization": null"""))
        assertEquals(null, info.input.quantization)
        assertEquals(null, info.output.quantization)
    }

    @Test
    fun refusesWhatTheAppCannotFeed() {
        val cases = mapOf(
            sampleInfo(schema = "mobilecnn.model_info/2") to "schema",
            sampleInfo(quantization = "null") to "needs quantization",
            sampleInfo(quantization = """{"scale": 1.0, "zero_point": 300}""") to "zero point 300",
            sampleInfo(shape = "[1, 96, 64, 1]") to "input shape",
            sampleInfo(output = "[1, 11]") to "output shape",
            sampleInfo(dtype = "int16") to "int16",
            sampleInfo().replace("\"num_classes\": 10,", "") to "\"num_classes\" is missing",
        )
        for ((text, expected) in cases) {
            val err = assertThrows(JsonException::class.java) { ModelInfo.parse(text) }
            assertTrue("${err.message} lacks $expected", err.message!!.contains(expected))
        }
    }

    @Test
    fun labelsMustMatchTheClassCount() {
        assertEquals(listOf("cat", "dog"), Labels.parse("cat\r\ndog\n\n", 2))
        val err = assertThrows(IllegalArgumentException::class.java) { Labels.parse("cat\ndog\n", 3) }
        assertEquals("labels.txt has 2 labels, the model 3 classes", err.message)
    }
}
