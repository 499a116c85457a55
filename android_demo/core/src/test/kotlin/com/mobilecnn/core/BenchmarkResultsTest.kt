package com.mobilecnn.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertThrows
import org.junit.Test
import java.io.File

class BenchmarkResultsTest {
    private val info = ModelInfo.parse(sampleInfo())
    private val device = Device("Pixel 8", "Google", "Tensor G3", "Google", "zuma", "arm64-v8a", "15", "35")

    private fun run(accelerator: Accelerator, threads: Int, samples: List<Double>, error: String? = null) = BenchmarkRun(
        info, device, accelerator, threads, warmup = 5, initMs = 41.5, firstMs = 9.25, samplesMs = samples,
        fullyAccelerated = if (accelerator == Accelerator.CPU) null else true, appVersion = "1.0",
        created = "2026-01-02T03:04:05+00:00", error = error)

    @Test
    fun recordsFollowTheSchema() {
        val r = BenchmarkResults.record(run(Accelerator.GPU, 4, listOf(2.0, 1.0, 3.0)))
        assertEquals("shufflenet-v2|int8|android|4|gpu", r["key"])
        assertEquals("ok", r["status"])
        val latency = r["latency_ms"] as Map<*, *>
        assertEquals(2.0, latency["median"])
        assertEquals(3, latency["count"])
        val failed = BenchmarkResults.record(run(Accelerator.NPU, 1, emptyList(), "no NPU"))
        assertEquals("failed", failed["status"])
        assertEquals(null, (failed["latency_ms"] as Map<*, *>)["median"])
    }

    @Test
    fun mergeReplacesTheRecordWithTheSameKey() {
        var text = BenchmarkResults.merge(null, BenchmarkResults.record(run(Accelerator.CPU, 1, listOf(5.0))))
        text = BenchmarkResults.merge(text, BenchmarkResults.record(run(Accelerator.CPU, 4, listOf(2.0, 2.5))))
        text = BenchmarkResults.merge(text, BenchmarkResults.record(run(Accelerator.CPU, 1, listOf(4.0, 4.5))))
        val records = (Json.parse(text) as Map<*, *>)["records"] as List<*>
        assertEquals(listOf("shufflenet-v2|int8|android|4|cpu", "shufflenet-v2|int8|android|1|cpu"),
            records.map { (it as Map<*, *>)["key"] })
        assertEquals(4.25, ((records[1] as Map<*, *>)["latency_ms"] as Map<*, *>)["median"])
        assertThrows(JsonException::class.java) { BenchmarkResults.merge("""{"schema": "other"}""", mapOf("key" to "k")) }
        assertThrows(JsonException::class.java) { BenchmarkResults.merge("[1, 2]", mapOf("key" to "k")) }
    }

    /** Writes a results file where pytest (tests/test_android_core.py) reads it back with export/results.py. */
    @Test
    fun writesAResultsFileForMobilecnn() {
        val out = System.getProperty("results.out") ?: return
        var text: String? = null
        for (r in listOf(run(Accelerator.CPU, 4, listOf(3.0, 2.0, 2.5, 2.25)), run(Accelerator.GPU, 4, listOf(1.5, 1.25)),
                         run(Accelerator.NPU, 4, emptyList(), "this phone has no NPU that LiteRT can use"))) {
            text = BenchmarkResults.merge(text, BenchmarkResults.record(r))
        }
        File(out).writeText(text!!)
    }
}
