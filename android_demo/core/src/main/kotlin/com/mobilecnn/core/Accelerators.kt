package com.mobilecnn.core

/** Where LiteRT runs the model. `json` is the name the benchmark results use. */
enum class Accelerator(val json: String, val title: String) {
    CPU("cpu", "CPU (XNNPACK)"), GPU("gpu", "GPU"), NPU("npu", "NPU");
}

/** What to run on, and why it is not what was asked for (`message`, shown to the user) when it is not. */
data class AcceleratorPlan(val requested: Accelerator, val used: Accelerator, val threads: Int, val message: String?) {
    val fellBack get() = used != requested
}

/**
 * The fallback policy: run where the user asked if the phone has it, otherwise on the CPU and say so; if the
 * chosen accelerator then fails to compile or run the model, fall back to the CPU once, saying why; a CPU
 * failure is final. `threads` (XNNPACK's thread count, also used by ops an accelerator leaves to the CPU) is at
 * least 1 and at most [MAX_THREADS].
 */
object AcceleratorPolicy {
    const val MAX_THREADS = 16

    fun plan(requested: Accelerator, available: Set<Accelerator>, threads: Int): AcceleratorPlan {
        require(threads in 1..MAX_THREADS) { "threads must be 1 to $MAX_THREADS, got $threads" }
        if (requested == Accelerator.CPU || requested in available) return AcceleratorPlan(requested, requested, threads, null)
        val why = when (requested) {
            Accelerator.NPU -> "this phone has no NPU that LiteRT can use"
            else -> "LiteRT found no ${requested.title} on this phone"
        }
        return AcceleratorPlan(requested, Accelerator.CPU, threads, "$why: running on ${cpu(threads)} instead")
    }

    /** The plan after `plan.used` failed with `error`, or null when there is nothing left to fall back to. */
    fun afterFailure(plan: AcceleratorPlan, error: String): AcceleratorPlan? {
        if (plan.used == Accelerator.CPU) return null
        val reason = error.lineSequence().firstOrNull { it.isNotBlank() }?.trim()?.take(160) ?: "no message"
        return AcceleratorPlan(plan.requested, Accelerator.CPU, plan.threads,
            "${plan.used.title} could not run the model ($reason): running on ${cpu(plan.threads)} instead")
    }

    private fun cpu(threads: Int) = "CPU (XNNPACK, $threads thread${if (threads == 1) "" else "s"})"
}
