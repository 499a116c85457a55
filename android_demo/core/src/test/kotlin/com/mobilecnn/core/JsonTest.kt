package com.mobilecnn.core

import org.junit.Assert.assertEquals
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test

class JsonTest {
    @Test
    fun readsEveryKindOfValue() {
        val v = Json.parse("""{"a": [1, -2.5, 3e2, true, false, null], "s": "x\"\\\/\n\u00e9", "o": {}}""") as Map<*, *>
        assertEquals(listOf(1L, -2.5, 300.0, true, false, null), v["a"])
        assertEquals("x\"\\/\n\u00e9", v["s"])
        assertEquals(emptyMap<String, Any?>(), v["o"])
        assertEquals(listOf("a", "s", "o"), v.keys.toList())
    }

    @Test
    fun numbersKeepTheirDoubleValueExactly() {
        // Python's json writes the shortest text that round-trips; Double parsing gives the same double back.
        for (d in listOf(1.0000003576278687, 0.00390625, 0.007843137718737125, 1e-300, 123456.789)) {
            assertEquals(d, Json.parse(d.toString()) as Double, 0.0)
            assertEquals(d, Json.parse(Json.write(d)) as Double, 0.0)
        }
    }

    @Test
    fun writesWhatItReads() {
        val value = linkedMapOf("k" to listOf(1, 2L, 0.5, "t\tab", null, true), "nested" to mapOf("x" to emptyList<Int>()))
        for (indent in listOf(0, 1, 2)) {
            assertEquals(Json.parse(Json.write(value)), Json.parse(Json.write(value, indent)))
        }
        assertEquals("""{"k":[1,2,0.5,"t\tab",null,true],"nested":{"x":[]}}""", Json.write(value))
    }

    @Test
    fun refusesBrokenText() {
        for (bad in listOf("", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1} x", "01", "\"open", "{\"a\":1,\"a\":2}", "tru", "1.", "-")) {
            val err = assertThrows(JsonException::class.java) { Json.parse(bad) }
            assertTrue(err.message, err.message!!.startsWith("JSON: "))
        }
        assertThrows(JsonException::class.java) { Json.write(Double.NaN) }
        assertThrows(JsonException::class.java) { Json.write(mapOf(1 to 2)) }
    }
}
