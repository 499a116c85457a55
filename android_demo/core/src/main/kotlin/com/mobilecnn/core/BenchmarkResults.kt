package com.mobilecnn.core

/** The phone a benchmark ran on, as mobilecnn's Android target describes one (export/android.py). */
data class Device(
    val model: String, val manufacturer: String, val soc: String, val socManufacturer: String, val board: String,
    val abi: String, val android: String, val sdk: String,
) {
    fun toJson(): Map<String, Any?> = linkedMapOf(
        "kind" to "phone", "serial" to null, "model" to model, "manufacturer" to manufacturer, "soc" to soc,
        "soc_manufacturer" to socManufacturer, "board" to board, "abi" to abi, "android" to android, "sdk" to sdk,
    )
}

/** One benchmark on the phone: warm-up runs, then timed ones; `error` set when it failed. */
data class BenchmarkRun(
    val info: ModelInfo,
    val device: Device,
    val accelerator: Accelerator,
    val threads: Int,
    val warmup: Int,
    val initMs: Double?,
    val firstMs: Double?,
    val samplesMs: List<Double>,
    val fullyAccelerated: Boolean?,
    val appVersion: String,
    val created: String,
    val error: String? = null,
)

/**
 * The benchmark results file in mobilecnn's record schema (export/results.py, `mobilecnn.benchmark/1`), so that
 * `adb pull` and then `mobilecnn benchmark --plot DIR --results results.json` or `mobilecnn pick --results
 * results.json` read what the app measured: `{"schema": ..., "records": [...]}`, one record a model, precision,
 * target (`android`), thread count and accelerator. Figures the app cannot measure (peak memory, XNNPACK
 * partitions, per-op profile) are null.
 */
object BenchmarkResults {
    const val SCHEMA = "mobilecnn.benchmark/1"
    const val TARGET = "android"
    const val TOOL = "mobilecnn android_demo"

    fun key(model: String, precision: String, threads: Int, accelerator: Accelerator) =
        "$model|$precision|$TARGET|$threads|${accelerator.json}"

    fun record(run: BenchmarkRun): Map<String, Any?> {
        val info = run.info
        val stats = if (run.error == null) LatencyStats.of(run.samplesMs) else null
        return linkedMapOf(
            "schema" to SCHEMA,
            "key" to key(info.model, info.precision, run.threads, run.accelerator),
            "status" to if (run.error == null) "ok" else "failed",
            "error" to run.error,
            "model" to linkedMapOf(
                "name" to info.model, "options" to info.options, "precision" to info.precision,
                "file" to linkedMapOf("sha256" to info.modelSha256, "size" to info.modelSize),
                "params" to info.params, "macs" to info.macs,
                "reference" to linkedMapOf("params" to info.reference.params, "macs" to info.reference.macs,
                    "top1" to info.reference.top1, "top1_source" to info.reference.top1Source),
            ),
            "target" to linkedMapOf("name" to TARGET, "serial" to null, "tool" to TOOL, "tool_version" to run.appVersion,
                "device" to run.device.toJson()),
            "run" to linkedMapOf("threads" to run.threads, "accelerator" to run.accelerator.json,
                "runs" to run.samplesMs.size, "warmup" to run.warmup, "taskset" to null),
            "latency_ms" to linkedMapOf(
                "init" to run.initMs, "first" to run.firstMs, "median" to stats?.median, "p90" to stats?.p90,
                "p95" to stats?.p95, "min" to stats?.min, "max" to stats?.max, "mean" to stats?.mean,
                "std" to stats?.std, "count" to stats?.count,
            ),
            "memory" to linkedMapOf("peak_mb" to null, "method" to ""),
            "acceleration" to linkedMapOf("fully_accelerated" to run.fullyAccelerated, "xnnpack_partitions" to null,
                "ops_outside" to null),
            "profile" to null,
            "roof" to null,
            "created" to run.created,
            "mobilecnn_version" to info.mobilecnnVersion,
        )
    }

    /**
     * The results file's new text: the records of `existing` (a results file's text, or null for none) with
     * `record` added, replacing the one with the same key. A file that is not a results file is an error
     * ([JsonException]), never silently overwritten.
     */
    fun merge(existing: String?, record: Map<String, Any?>): String {
        val records = ArrayList<Any?>()
        if (existing != null && existing.isNotBlank()) {
            val root = Json.parse(existing) as? Map<*, *> ?: throw JsonException("the results file is not a JSON object")
            if (root["schema"] != SCHEMA) throw JsonException("the results file's schema is ${root["schema"]}, not $SCHEMA")
            val old = root["records"] as? List<*> ?: throw JsonException("the results file has no records list")
            records.addAll(old.filter { (it as? Map<*, *>)?.get("key") != record["key"] })
        }
        records.add(record)
        return Json.write(linkedMapOf("schema" to SCHEMA, "records" to records), indent = 1) + "\n"
    }
}
