package com.mobilecnn.demo

import android.content.Context
import com.google.ai.edge.litert.Accelerator as LiteRtAccelerator
import com.google.ai.edge.litert.BuiltinNpuAcceleratorProvider
import com.google.ai.edge.litert.CompiledModel
import com.google.ai.edge.litert.Environment
import com.google.ai.edge.litert.TensorBuffer
import com.mobilecnn.core.Accelerator
import com.mobilecnn.core.AcceleratorPlan
import com.mobilecnn.core.AcceleratorPolicy
import com.mobilecnn.core.Postprocess
import com.mobilecnn.core.Prediction
import com.mobilecnn.core.Preprocessor
import com.mobilecnn.core.TensorType

/** The top 5 of one image, and where the time went. */
class Classification(val top: List<Prediction>, val preprocessMs: Double, val inferenceMs: Double)

/**
 * A bundled model compiled by LiteRT's CompiledModel API for the accelerator [AcceleratorPolicy] chose: the
 * requested one when the phone has it, else the CPU; if compiling fails there, the CPU once more. [plan] says
 * what is used and why. Pixels in, top 5 out: the preprocessing, quantization and dequantization are :core's.
 * Use from one thread.
 */
class Classifier private constructor(
    val model: BundledModel,
    val plan: AcceleratorPlan,
    private val env: Environment,
    private val compiled: CompiledModel,
    val initMs: Double,
) : AutoCloseable {
    private val preprocessor = Preprocessor(model.info)
    private val inputs: List<TensorBuffer> = compiled.createInputBuffers()
    private val outputs: List<TensorBuffer> = compiled.createOutputBuffers()

    fun classify(argb: IntArray, width: Int, height: Int): Classification {
        val t0 = System.nanoTime()
        write(argb, width, height)
        val t1 = System.nanoTime()
        compiled.run(inputs, outputs)
        val probabilities = when (model.info.output.type) {
            TensorType.FLOAT32 -> Postprocess.probabilities(outputs[0].readFloat(), model.info)
            else -> Postprocess.probabilities(outputs[0].readInt8(), model.info)
        }
        val t2 = System.nanoTime()
        return Classification(Postprocess.topK(probabilities, model.labels, 5), (t1 - t0) / 1e6, (t2 - t1) / 1e6)
    }

    /** Fill the input buffer from a photo (float32, or int8/uint8 bytes: uint8 travels as the same bytes). */
    fun write(argb: IntArray, width: Int, height: Int) {
        if (model.info.input.type == TensorType.FLOAT32) {
            inputs[0].writeFloat(preprocessor.floats(argb, width, height))
        } else {
            inputs[0].writeInt8(preprocessor.quantized(argb, width, height))
        }
    }

    /** One inference on what the input buffer holds, in milliseconds (the benchmark's timed unit). */
    fun timeRun(): Double {
        val start = System.nanoTime()
        compiled.run(inputs, outputs)
        return (System.nanoTime() - start) / 1e6
    }

    override fun close() {
        inputs.forEach { it.close() }
        outputs.forEach { it.close() }
        compiled.close()
        env.close()
    }

    companion object {
        fun open(context: Context, model: BundledModel, requested: Accelerator, threads: Int): Classifier {
            // The NPU needs an environment that knows the vendor's dispatch library (LiteRT's NPU accelerator).
            val env = if (requested == Accelerator.NPU) {
                Environment.create(context, BuiltinNpuAcceleratorProvider(context))
            } else {
                Environment.create()
            }
            var plan = AcceleratorPolicy.plan(requested, available(env), threads)
            while (true) {
                var compiled: CompiledModel? = null
                val start = System.nanoTime()
                try {
                    compiled = CompiledModel.create(context.assets, model.modelPath, options(plan), env)
                    return Classifier(model, plan, env, compiled, (System.nanoTime() - start) / 1e6)
                } catch (e: Exception) {
                    compiled?.close()
                    val next = AcceleratorPolicy.afterFailure(plan, e.message ?: e.toString())
                    if (next == null) {
                        env.close()
                        throw e
                    }
                    plan = next
                }
            }
        }

        private fun available(env: Environment): Set<Accelerator> =
            env.getAvailableAccelerators().mapNotNull {
                when (it) {
                    LiteRtAccelerator.CPU -> Accelerator.CPU
                    LiteRtAccelerator.GPU -> Accelerator.GPU
                    LiteRtAccelerator.NPU -> Accelerator.NPU
                    else -> null
                }
            }.toSet()

        /** The accelerator first, the CPU for what it leaves (LiteRT's own fallback for unsupported ops). */
        private fun options(plan: AcceleratorPlan): CompiledModel.Options {
            val options = when (plan.used) {
                Accelerator.CPU -> CompiledModel.Options(LiteRtAccelerator.CPU)
                Accelerator.GPU -> CompiledModel.Options(LiteRtAccelerator.GPU, LiteRtAccelerator.CPU)
                Accelerator.NPU -> CompiledModel.Options(LiteRtAccelerator.NPU, LiteRtAccelerator.CPU)
            }
            options.cpuOptions = CompiledModel.CpuOptions(numThreads = plan.threads)
            return options
        }
    }
}
