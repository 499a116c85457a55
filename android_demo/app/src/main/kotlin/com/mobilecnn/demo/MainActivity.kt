package com.mobilecnn.demo

import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.os.Bundle
import android.view.View
import android.widget.AdapterView
import android.widget.ArrayAdapter
import android.widget.Button
import android.widget.ImageView
import android.widget.Spinner
import android.widget.TextView
import androidx.activity.ComponentActivity
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.core.content.ContextCompat
import com.mobilecnn.core.Accelerator
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors

/**
 * Live classification of the camera (top 5 and per-frame latency) or of an image from the gallery, with the
 * settings row: the bundled model, the accelerator (CPU/XNNPACK, GPU, NPU; a fallback to the CPU is shown in
 * the notice bar) and the CPU thread count. The benchmark button opens [BenchmarkActivity] with the same choice.
 */
class MainActivity : ComponentActivity() {
    private lateinit var modelSpinner: Spinner
    private lateinit var acceleratorSpinner: Spinner
    private lateinit var threadsSpinner: Spinner
    private lateinit var notice: TextView
    private lateinit var previewView: PreviewView
    private lateinit var picked: ImageView
    private lateinit var result: TextView

    /** The one thread that owns [classifier]: model loading, camera frames and gallery images all run on it. */
    private val worker: ExecutorService = Executors.newSingleThreadExecutor()
    private var classifier: Classifier? = null
    private var folders: List<String> = emptyList()
    private var cameraProvider: ProcessCameraProvider? = null

    @Volatile
    private var live = true

    private val requestCamera = registerForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        if (granted) startCamera() else showNotice(getString(R.string.camera_denied))
    }

    private val pickImage = registerForActivityResult(ActivityResultContracts.GetContent()) { uri: Uri? ->
        if (uri != null) classifyImage(uri)
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_main)
        modelSpinner = findViewById(R.id.model_spinner)
        acceleratorSpinner = findViewById(R.id.accelerator_spinner)
        threadsSpinner = findViewById(R.id.threads_spinner)
        notice = findViewById(R.id.notice_text)
        previewView = findViewById(R.id.preview_view)
        picked = findViewById(R.id.picked_image)
        result = findViewById(R.id.result_text)

        folders = ModelCatalog.folders(assets)
        if (folders.isEmpty()) {
            showNotice(getString(R.string.no_models))
            return
        }
        modelSpinner.adapter = ArrayAdapter(this, android.R.layout.simple_spinner_item, folders).also {
            it.setDropDownViewResource(android.R.layout.simple_spinner_dropdown_item)
        }
        threadsSpinner.setSelection(2)  // 4 threads
        val reload = object : AdapterView.OnItemSelectedListener {
            override fun onItemSelected(parent: AdapterView<*>?, view: View?, position: Int, id: Long) = reopen()
            override fun onNothingSelected(parent: AdapterView<*>?) = Unit
        }
        modelSpinner.onItemSelectedListener = reload
        acceleratorSpinner.onItemSelectedListener = reload
        threadsSpinner.onItemSelectedListener = reload

        findViewById<Button>(R.id.camera_button).setOnClickListener { startCamera() }
        findViewById<Button>(R.id.gallery_button).setOnClickListener { pickImage.launch("image/*") }
        findViewById<Button>(R.id.benchmark_button).setOnClickListener {
            startActivity(Intent(this, BenchmarkActivity::class.java)
                .putExtra(BenchmarkActivity.EXTRA_FOLDER, folders[modelSpinner.selectedItemPosition])
                .putExtra(BenchmarkActivity.EXTRA_ACCELERATOR, accelerator().name)
                .putExtra(BenchmarkActivity.EXTRA_THREADS, threads()))
        }
        if (ContextCompat.checkSelfPermission(this, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED) {
            startCamera()
        } else {
            requestCamera.launch(Manifest.permission.CAMERA)
        }
    }

    override fun onDestroy() {
        super.onDestroy()
        cameraProvider?.unbindAll()
        worker.execute { classifier?.close(); classifier = null }
        worker.shutdown()
    }

    private fun accelerator() = Accelerator.entries[acceleratorSpinner.selectedItemPosition]

    private fun threads() = (threadsSpinner.selectedItem as String).toInt()

    /** Load the chosen model for the chosen accelerator (on the worker); the plan's message says any fallback. */
    private fun reopen() {
        val folder = folders[modelSpinner.selectedItemPosition]
        val accelerator = accelerator()
        val threads = threads()
        worker.execute {
            classifier?.close()
            classifier = null
            try {
                val opened = Classifier.open(this, ModelCatalog.load(assets, folder), accelerator, threads)
                classifier = opened
                val info = opened.model.info
                runOnUiThread {
                    showNotice(opened.plan.message)
                    result.text = getString(R.string.waiting)
                    title = "${info.model} ${info.precision} on ${opened.plan.used.title}, init ${"%.0f".format(opened.initMs)} ms"
                }
            } catch (e: Exception) {
                runOnUiThread { showNotice("$folder could not be loaded: ${e.message}") }
            }
        }
    }

    private fun startCamera() {
        live = true
        picked.visibility = View.GONE
        previewView.visibility = View.VISIBLE
        val future = ProcessCameraProvider.getInstance(this)
        future.addListener({
            val provider = future.get()
            cameraProvider = provider
            val preview = Preview.Builder().build()
            preview.setSurfaceProvider(previewView.surfaceProvider)
            val analysis = ImageAnalysis.Builder()
                .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                .setOutputImageFormat(ImageAnalysis.OUTPUT_IMAGE_FORMAT_RGBA_8888)
                .build()
            analysis.setAnalyzer(worker) { frame -> analyze(frame) }
            provider.unbindAll()
            provider.bindToLifecycle(this, CameraSelector.DEFAULT_BACK_CAMERA, preview, analysis)
        }, ContextCompat.getMainExecutor(this))
    }

    private fun analyze(frame: ImageProxy) {
        frame.use {
            val current = classifier
            if (!live || current == null) return
            val pixels = Frames.pixels(it)
            show(current, current.classify(pixels.argb, pixels.width, pixels.height))
        }
    }

    private fun classifyImage(uri: Uri) {
        live = false
        cameraProvider?.unbindAll()
        previewView.visibility = View.GONE
        picked.visibility = View.VISIBLE
        worker.execute {
            val current = classifier ?: return@execute
            try {
                val info = current.model.info
                val bitmap = Frames.decode(contentResolver, uri, maxOf(info.height, info.width) * 2)
                val pixels = Frames.pixels(bitmap)
                runOnUiThread { picked.setImageBitmap(bitmap) }
                show(current, current.classify(pixels.argb, pixels.width, pixels.height))
            } catch (e: Exception) {
                runOnUiThread { showNotice("The image could not be classified: ${e.message}") }
            }
        }
    }

    private fun show(current: Classifier, c: Classification) {
        val lines = c.top.joinToString("\n") { p -> "%5.1f%%  %s".format(p.probability * 100, p.label) }
        val timing = "inference %.1f ms, preprocessing %.1f ms (%s)".format(
            c.inferenceMs, c.preprocessMs, current.plan.used.title)
        runOnUiThread { result.text = lines + "\n" + timing }
    }

    private fun showNotice(message: String?) {
        notice.text = message ?: ""
        notice.visibility = if (message == null) View.GONE else View.VISIBLE
    }
}
