package com.mobilecnn.demo

import android.content.res.AssetManager
import com.mobilecnn.core.Labels
import com.mobilecnn.core.ModelInfo
import java.security.MessageDigest

/** One model in the app's assets: a folder holding model.tflite, labels.txt and model_info.json. */
class BundledModel(val folder: String, val info: ModelInfo, val labels: List<String>) {
    val modelPath get() = "$folder/${info.modelFile}"
}

/** The models `mobilecnn export ... --android-assets app/src/main/assets/FOLDER` put in the APK. */
object ModelCatalog {
    const val INFO = "model_info.json"

    fun folders(assets: AssetManager): List<String> =
        (assets.list("") ?: emptyArray()).filter { folder -> (assets.list(folder) ?: emptyArray()).contains(INFO) }.sorted()

    /** Read and check one folder: the labels must match the classes, the model the checksum model_info.json holds. */
    fun load(assets: AssetManager, folder: String): BundledModel {
        val info = ModelInfo.parse(String(read(assets, "$folder/$INFO"), Charsets.UTF_8))
        val labels = Labels.parse(String(read(assets, "$folder/${info.labelsFile}"), Charsets.UTF_8), info.numClasses)
        val digest = MessageDigest.getInstance("SHA-256").digest(read(assets, "$folder/${info.modelFile}"))
        val hex = digest.joinToString("") { byte -> "%02x".format(byte) }
        require(hex == info.modelSha256) {
            "$folder: ${info.modelFile} is not the file $INFO describes; export again with --android-assets"
        }
        return BundledModel(folder, info, labels)
    }

    private fun read(assets: AssetManager, path: String): ByteArray = assets.open(path).use { it.readBytes() }
}
