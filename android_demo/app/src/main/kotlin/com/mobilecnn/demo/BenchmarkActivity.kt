package com.mobilecnn.demo

import android.os.Build
import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.ProgressBar
import android.widget.TextView
import androidx.activity.ComponentActivity
import com.mobilecnn.core.Accelerator
import com.mobilecnn.core.BenchmarkResults
import com.mobilecnn.core.BenchmarkRun
import com.mobilecnn.core.Device
import com.mobilecnn.core.LatencyStats
import java.io.File
import java.text.SimpleDateFormat
import java.util.Date
import java.util.Locale
import java.util.TimeZone
import kotlin.concurrent.thread

/**
 * The on-phone benchmark: compile (the init time), warm-up runs (the first one's time is kept), then N timed
 * inferences of a fixed input; median, p90, min and max on screen; the record goes into `results.json` in the
 * app's external files folder, in mobilecnn's benchmark schema, where `adb pull` fetches it for `mobilecnn
 * benchmark --plot` and `mobilecnn pick --results`. Only `CompiledModel.run` is timed, not the preprocessing.
 */
class BenchmarkActivity : ComponentActivity() {
    companion object {
        const val EXTRA_FOLDER = "folder"
        const val EXTRA_ACCELERATOR = "accelerator"
        const val EXTRA_THREADS = "threads"
        const val RESULTS = "results.json"
    }

    private lateinit var stats: TextView
    private lateinit var progress: ProgressBar

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_benchmark)
        val folder = intent.getStringExtra(EXTRA_FOLDER) ?: return finish()
        val accelerator = Accelerator.valueOf(intent.getStringExtra(EXTRA_ACCELERATOR) ?: Accelerator.CPU.name)
        val threads = intent.getIntExtra(EXTRA_THREADS, 4)
        stats = findViewById(R.id.stats_text)
        progress = findViewById(R.id.progress)
        findViewById<TextView>(R.id.setup_text).text = "$folder on ${accelerator.title}, $threads CPU threads"
        val warmupEdit = findViewById<EditText>(R.id.warmup_edit)
        val runsEdit = findViewById<EditText>(R.id.runs_edit)
        val button = findViewById<Button>(R.id.run_button)
        button.setOnClickListener {
            val warmup = warmupEdit.text.toString().toIntOrNull()?.coerceIn(1, 1000) ?: 5
            val runs = runsEdit.text.toString().toIntOrNull()?.coerceIn(1, 100000) ?: 50
            button.isEnabled = false
            progress.visibility = View.VISIBLE
            progress.max = warmup + runs
            thread(name = "benchmark") {
                val text = try {
                    benchmark(folder, accelerator, threads, warmup, runs)
                } catch (e: Exception) {
                    "The benchmark failed: ${e.message}"
                }
                runOnUiThread {
                    stats.text = text
                    progress.visibility = View.GONE
                    button.isEnabled = true
                }
            }
        }
    }

    private fun benchmark(folder: String, requested: Accelerator, threads: Int, warmup: Int, runs: Int): String {
        val model = ModelCatalog.load(assets, folder)
        Classifier.open(this, model, requested, threads).use { classifier ->
            val info = model.info
            // A fixed, deterministic input: a colour gradient at the model's size.
            val argb = IntArray(info.width * info.height) { i ->
                val x = i % info.width
                val y = i / info.width
                (0xff shl 24) or ((x * 255 / info.width) shl 16) or ((y * 255 / info.height) shl 8) or 128
            }
            classifier.write(argb, info.width, info.height)
            val first = classifier.timeRun()
            repeat(warmup - 1) { n ->
                classifier.timeRun()
                if (n % 10 == 0) runOnUiThread { progress.progress = n + 1 }
            }
            val samples = ArrayList<Double>(runs)
            repeat(runs) { n ->
                samples.add(classifier.timeRun())
                if (n % 10 == 0) runOnUiThread { progress.progress = warmup + n }
            }
            val s = LatencyStats.of(samples)
            val run = BenchmarkRun(info, device(), classifier.plan.used, threads, warmup, classifier.initMs, first,
                samples, fullyAccelerated = null, appVersion = appVersion(), created = now())
            val file = save(run)
            return buildString {
                classifier.plan.message?.let { append(it).append("\n\n") }
                append("%s %s on %s\n".format(info.model, info.precision, classifier.plan.used.title))
                append("init   %8.2f ms\n".format(classifier.initMs))
                append("first  %8.2f ms\n".format(first))
                append("median %8.2f ms\n".format(s.median))
                append("p90    %8.2f ms\n".format(s.p90))
                append("min    %8.2f ms\n".format(s.min))
                append("max    %8.2f ms\n".format(s.max))
                append("%d timed runs after %d warm-up\n\n".format(s.count, warmup))
                append("Saved to ${file.absolutePath}\n")
                append("adb pull ${file.absolutePath} phone/\n")
                append("mobilecnn pick --max-latency 20 --results phone/$RESULTS")
            }
        }
    }

    /** Add the record to results.json (replacing one with the same key); a file that is not ours is kept aside. */
    private fun save(run: BenchmarkRun): File {
        val dir = getExternalFilesDir(null) ?: filesDir
        val file = File(dir, RESULTS)
        val existing = if (file.isFile) file.readText() else null
        val text = try {
            BenchmarkResults.merge(existing, BenchmarkResults.record(run))
        } catch (e: IllegalArgumentException) {
            file.renameTo(File(dir, "$RESULTS.unreadable"))
            BenchmarkResults.merge(null, BenchmarkResults.record(run))
        }
        val tmp = File(dir, "$RESULTS.tmp")
        tmp.writeText(text)
        if (!tmp.renameTo(file)) throw IllegalStateException("could not write ${file.absolutePath}")
        return file
    }

    private fun device(): Device {
        val soc = if (Build.VERSION.SDK_INT >= 31) Build.SOC_MODEL else ""
        val socMaker = if (Build.VERSION.SDK_INT >= 31) Build.SOC_MANUFACTURER else ""
        return Device(Build.MODEL, Build.MANUFACTURER, soc.ifEmpty { Build.HARDWARE }, socMaker, Build.BOARD,
            Build.SUPPORTED_ABIS.firstOrNull() ?: "", Build.VERSION.RELEASE, Build.VERSION.SDK_INT.toString())
    }

    @Suppress("DEPRECATION")
    private fun appVersion(): String = packageManager.getPackageInfo(packageName, 0).versionName ?: ""

    private fun now(): String = SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss'+00:00'", Locale.US)
        .apply { timeZone = TimeZone.getTimeZone("UTC") }.format(Date())
}
