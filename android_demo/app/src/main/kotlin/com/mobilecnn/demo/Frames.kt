package com.mobilecnn.demo

import android.content.ContentResolver
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Matrix
import android.net.Uri
import androidx.camera.core.ImageProxy

/** A photo as :core's Preprocessor takes it: ARGB pixels row by row. */
class Pixels(val argb: IntArray, val width: Int, val height: Int)

/** Camera frames and gallery images to [Pixels]. */
object Frames {
    fun pixels(bitmap: Bitmap): Pixels {
        val argb = IntArray(bitmap.width * bitmap.height)
        bitmap.getPixels(argb, 0, bitmap.width, 0, 0, bitmap.width, bitmap.height)
        return Pixels(argb, bitmap.width, bitmap.height)
    }

    /** An RGBA_8888 camera frame, turned upright. */
    fun pixels(frame: ImageProxy): Pixels {
        val bitmap = frame.toBitmap()
        val degrees = frame.imageInfo.rotationDegrees
        if (degrees == 0) return pixels(bitmap)
        val matrix = Matrix().apply { postRotate(degrees.toFloat()) }
        return pixels(Bitmap.createBitmap(bitmap, 0, 0, bitmap.width, bitmap.height, matrix, true))
    }

    /**
     * A gallery image, decoded at a power-of-two reduction that keeps its short side at least `minSide`
     * pixels (a 12-megapixel photo would take 48 MB as ARGB).
     */
    fun decode(resolver: ContentResolver, uri: Uri, minSide: Int): Bitmap {
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        resolver.openInputStream(uri).use { BitmapFactory.decodeStream(it, null, bounds) }
        var sample = 1
        while (minOf(bounds.outWidth, bounds.outHeight) / (sample * 2) >= minSide) sample *= 2
        val options = BitmapFactory.Options().apply {
            inSampleSize = sample
            inPreferredConfig = Bitmap.Config.ARGB_8888
        }
        return resolver.openInputStream(uri).use { BitmapFactory.decodeStream(it, null, options) }
            ?: throw IllegalArgumentException("cannot decode $uri as an image")
    }
}
