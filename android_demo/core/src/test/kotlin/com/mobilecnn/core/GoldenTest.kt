package com.mobilecnn.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File
import java.nio.ByteBuffer
import java.nio.ByteOrder
import javax.imageio.ImageIO
import kotlin.math.abs

/**
 * The cross-language golden tests. tests/test_android_core.py exports small models (float32, float16, int8 with
 * uint8 I/O), writes their assets with mobilecnn's assets writer, and for each photo the input bytes mobilecnn's
 * reference preprocessing gives (export/pixels.py), the raw output LiteRT computes from them, and the top 5;
 * it passes the folder as `-Dgolden.dir` and scikit-image's photos as `-Dphotos.dir`.
 *
 * Layout: `cases.txt` (one case folder a line), `photos.txt` (one PNG a line); in each case folder
 * `model_info.json`, `labels.txt`, and per photo `NAME.input.bin`, `NAME.output.bin`, `NAME.top5.tsv`
 * (index TAB probability, Python's repr of the double).
 */
class GoldenTest {
    private val golden = File(System.getProperty("golden.dir") ?: throw AssertionError(NO_DATA))
    private val photos = File(System.getProperty("photos.dir") ?: throw AssertionError(NO_DATA))

    private companion object {
        const val NO_DATA = "no -Dgolden.dir/-Dphotos.dir: these tests run from tests/test_android_core.py"
    }

    private data class Photo(val name: String, val argb: IntArray, val width: Int, val height: Int)

    private data class Case(val name: String, val info: ModelInfo, val labels: List<String>)

    private fun cases(): List<Case> {
        val names = File(golden, "cases.txt").readLines().filter { it.isNotBlank() }
        assertTrue("no golden cases in $golden", names.isNotEmpty())
        return names.map { name ->
            val info = ModelInfo.parse(File(golden, "$name/model_info.json").readText())
            Case(name, info, Labels.parse(File(golden, "$name/${info.labelsFile}").readText(), info.numClasses))
        }
    }

    private fun photos(): List<Photo> {
        val names = File(golden, "photos.txt").readLines().filter { it.isNotBlank() }
        assertTrue("fewer than three photos", names.size >= 3)
        return names.map { name ->
            val image = ImageIO.read(File(photos, name)) ?: error("ImageIO cannot read ${File(photos, name)}")
            val w = image.width
            val h = image.height
            Photo(name.substringBeforeLast('.'), image.getRGB(0, 0, w, h, null, 0, w), w, h)
        }
    }

    /** How many input values differ (beyond 1e-5 for float32, at all for int8/uint8) and by how much at most. */
    private data class Mismatch(val differ: Int, val total: Int, val maxAbs: Double) {
        val matches get() = differ == 0
        override fun toString() = "$differ of $total values differ, max |diff| ${"%.6g".format(maxAbs)}"
    }

    private fun compare(info: ModelInfo, expected: ByteArray, actual: ByteArray): Mismatch {
        assertEquals("input byte count", expected.size, actual.size)
        val type = info.input.type
        val e = values(expected, type)
        val a = values(actual, type)
        var differ = 0
        var maxAbs = 0.0
        val tolerance = if (type == TensorType.FLOAT32) 1e-5 else 0.0
        for (i in e.indices) {
            val d = abs(e[i] - a[i])
            if (d > tolerance) differ++
            if (d > maxAbs) maxAbs = d
        }
        return Mismatch(differ, e.size, maxAbs)
    }

    private fun values(bytes: ByteArray, type: TensorType): DoubleArray = when (type) {
        TensorType.FLOAT32 -> ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
            .let { b -> DoubleArray(b.remaining()) { b.get(it).toDouble() } }
        TensorType.UINT8 -> DoubleArray(bytes.size) { (bytes[it].toInt() and 0xff).toDouble() }
        TensorType.INT8 -> DoubleArray(bytes.size) { bytes[it].toDouble() }
    }

    private fun mismatch(case: Case, photo: Photo, preprocessor: Preprocessor): Mismatch {
        val expected = File(golden, "${case.name}/${photo.name}.input.bin").readBytes()
        return compare(case.info, expected, preprocessor.tensorBytes(photo.argb, photo.width, photo.height))
    }

    @Test
    fun inputBytesMatchThePythonReference() {
        val photos = photos()
        val types = mutableSetOf<TensorType>()
        for (case in cases()) {
            types.add(case.info.input.type)
            for (photo in photos) {
                val m = mismatch(case, photo, Preprocessor(case.info))
                println("GOLDEN input ${case.name} ${photo.name} ${case.info.input.type.json}: $m")
                assertTrue("${case.name} ${photo.name}: $m", m.matches)
            }
        }
        assertEquals(setOf(TensorType.FLOAT32, TensorType.UINT8), types)
    }

    @Test
    fun topFiveFromTheRawOutputsMatches() {
        for (case in cases()) {
            for (photo in photos()) {
                val raw = File(golden, "${case.name}/${photo.name}.output.bin").readBytes()
                val probs = if (case.info.output.type == TensorType.FLOAT32) {
                    val b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    Postprocess.probabilities(FloatArray(b.remaining()) { b.get(it) }, case.info)
                } else {
                    Postprocess.probabilities(raw, case.info)
                }
                val top = Postprocess.topK(probs, case.labels, 5)
                val expected = File(golden, "${case.name}/${photo.name}.top5.tsv").readLines().filter { it.isNotBlank() }
                    .map { it.split("\t").let { (i, p) -> i.toInt() to p.toDouble() } }
                assertEquals("${case.name} ${photo.name} top-5 classes", expected.map { it.first }, top.map { it.index })
                for ((e, a) in expected.zip(top)) {
                    assertEquals("${case.name} ${photo.name} class ${e.first}", e.second, a.probability, 1e-9)
                }
                assertEquals(case.labels[top[0].index], top[0].label)
                println("GOLDEN top5 ${case.name} ${photo.name}: ${top.joinToString { "${it.index}:${"%.4f".format(it.probability)}" }}")
            }
        }
    }

    /** BGR instead of RGB must fail the comparison on every case and photo. */
    @Test
    fun bgrInsteadOfRgbFailsTheComparison() {
        for (case in cases()) {
            for (photo in photos()) {
                val m = mismatch(case, photo, Preprocessor(case.info, ChannelOrder.BGR))
                println("MISMATCH bgr ${case.name} ${photo.name}: $m")
                assertTrue("BGR passed the comparison for ${case.name} ${photo.name}", !m.matches)
            }
        }
    }

    /** Stretching the whole photo instead of the center crop must fail wherever the crop cuts something. */
    @Test
    fun aMissingCropFailsTheComparison() {
        var checked = 0
        for (case in cases()) {
            for (photo in photos()) {
                val box = Preprocessor(case.info).cropBox(photo.width, photo.height)
                if (box == CropBox(0, 0, photo.width, photo.height)) continue
                val m = mismatch(case, photo, Preprocessor(case.info, centerCrop = false))
                println("MISMATCH nocrop ${case.name} ${photo.name}: $m")
                assertTrue("a stretched photo passed the comparison for ${case.name} ${photo.name}", !m.matches)
                checked++
            }
        }
        assertTrue("no photo needed a crop", checked > 0)
    }
}
