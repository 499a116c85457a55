package com.mobilecnn.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test

class AcceleratorPolicyTest {
    @Test
    fun runsWhereAskedWhenThePhoneHasIt() {
        val plan = AcceleratorPolicy.plan(Accelerator.GPU, setOf(Accelerator.CPU, Accelerator.GPU), 4)
        assertEquals(Accelerator.GPU, plan.used)
        assertNull(plan.message)
    }

    @Test
    fun npuFallsBackToTheCpuVisibly() {
        val plan = AcceleratorPolicy.plan(Accelerator.NPU, setOf(Accelerator.CPU, Accelerator.GPU), 2)
        assertEquals(Accelerator.CPU, plan.used)
        assertTrue(plan.fellBack)
        assertEquals("this phone has no NPU that LiteRT can use: running on CPU (XNNPACK, 2 threads) instead", plan.message)
    }

    @Test
    fun aFailedAcceleratorFallsBackOnceAndTheCpuNever() {
        val gpu = AcceleratorPolicy.plan(Accelerator.GPU, setOf(Accelerator.GPU), 1)
        val cpu = AcceleratorPolicy.afterFailure(gpu, "\nFailed to compile: op RESHAPE not supported\nmore")!!
        assertEquals(Accelerator.CPU, cpu.used)
        assertEquals("GPU could not run the model (Failed to compile: op RESHAPE not supported): running on CPU (XNNPACK, 1 thread) instead",
            cpu.message)
        assertNull(AcceleratorPolicy.afterFailure(cpu, "out of memory"))
    }

    @Test
    fun threadCountIsChecked() {
        assertThrows(IllegalArgumentException::class.java) { AcceleratorPolicy.plan(Accelerator.CPU, emptySet(), 0) }
        assertThrows(IllegalArgumentException::class.java) { AcceleratorPolicy.plan(Accelerator.CPU, emptySet(), 17) }
    }
}
