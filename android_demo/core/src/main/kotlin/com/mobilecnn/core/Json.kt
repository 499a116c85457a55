package com.mobilecnn.core

/** A JSON text that does not parse, or a value of the wrong kind where a field was read. */
class JsonException(message: String) : IllegalArgumentException(message)

/**
 * A small JSON reader and writer (RFC 8259), because the app must not pull a library for two small files.
 *
 * Values are `null`, [Boolean], [Long] (a number written without fraction or exponent that fits),
 * [Double] (any other number), [String], [List] and [Map] (`Map<String, Any?>`, in the file's order).
 * The writer takes the same kinds plus [Int]; it refuses NaN and infinities, which JSON cannot hold.
 */
object Json {
    fun parse(text: String): Any? {
        val reader = Reader(text)
        reader.space()
        val value = reader.value()
        reader.space()
        if (!reader.atEnd()) throw reader.error("unexpected text after the value")
        return value
    }

    /** `indent` 0 writes one line; otherwise nested values go on their own lines, indented by that much. */
    fun write(value: Any?, indent: Int = 0): String = StringBuilder().also { writeTo(it, value, indent, 0) }.toString()

    private fun writeTo(out: StringBuilder, value: Any?, indent: Int, depth: Int) {
        when (value) {
            null -> out.append("null")
            is Boolean -> out.append(value)
            is Int, is Long -> out.append(value)
            is Float -> writeTo(out, value.toDouble(), indent, depth)
            is Double -> {
                if (!value.isFinite()) throw JsonException("JSON has no $value")
                out.append(value)
            }
            is String -> quote(out, value)
            is Map<*, *> -> container(out, value.entries.toList(), "{", "}", indent, depth) { entry ->
                quote(out, entry.key as? String ?: throw JsonException("object keys must be strings: ${entry.key}"))
                out.append(if (indent > 0) ": " else ":")
                writeTo(out, entry.value, indent, depth + 1)
            }
            is List<*> -> container(out, value, "[", "]", indent, depth) { writeTo(out, it, indent, depth + 1) }
            else -> throw JsonException("cannot write a ${value::class.simpleName} as JSON")
        }
    }

    private fun <T> container(out: StringBuilder, items: List<T>, open: String, close: String, indent: Int,
                              depth: Int, item: (T) -> Unit) {
        out.append(open)
        items.forEachIndexed { i, it ->
            if (i > 0) out.append(",")
            if (indent > 0) out.append("\n").append(" ".repeat(indent * (depth + 1)))
            item(it)
        }
        if (indent > 0 && items.isNotEmpty()) out.append("\n").append(" ".repeat(indent * depth))
        out.append(close)
    }

    private fun quote(out: StringBuilder, text: String) {
        out.append('"')
        for (c in text) {
            when {
                c == '"' -> out.append("\\\"")
                c == '\\' -> out.append("\\\\")
                c == '\n' -> out.append("\\n")
                c == '\r' -> out.append("\\r")
                c == '\t' -> out.append("\\t")
                c < ' ' -> out.append("\\u%04x".format(c.code))
                else -> out.append(c)
            }
        }
        out.append('"')
    }

    private class Reader(private val text: String) {
        private var at = 0

        fun atEnd() = at >= text.length

        fun error(what: String) = JsonException("JSON: $what at character $at")

        fun space() {
            while (at < text.length && text[at] in " \t\r\n") at++
        }

        fun value(): Any? {
            if (atEnd()) throw error("a value is missing")
            return when (text[at]) {
                '{' -> obj()
                '[' -> array()
                '"' -> string()
                't' -> word("true", true)
                'f' -> word("false", false)
                'n' -> word("null", null)
                else -> number()
            }
        }

        private fun word(word: String, value: Any?): Any? {
            if (!text.startsWith(word, at)) throw error("unexpected character '${text[at]}'")
            at += word.length
            return value
        }

        private fun expect(c: Char) {
            if (atEnd() || text[at] != c) throw error("expected '$c'")
            at++
        }

        private fun obj(): Map<String, Any?> {
            val out = LinkedHashMap<String, Any?>()
            expect('{')
            space()
            if (!atEnd() && text[at] == '}') { at++; return out }
            while (true) {
                space()
                if (atEnd() || text[at] != '"') throw error("expected a string key")
                val key = string()
                space()
                expect(':')
                space()
                if (out.containsKey(key)) throw error("key \"$key\" appears twice")
                out[key] = value()
                space()
                if (!atEnd() && text[at] == ',') { at++; continue }
                expect('}')
                return out
            }
        }

        private fun array(): List<Any?> {
            val out = ArrayList<Any?>()
            expect('[')
            space()
            if (!atEnd() && text[at] == ']') { at++; return out }
            while (true) {
                space()
                out.add(value())
                space()
                if (!atEnd() && text[at] == ',') { at++; continue }
                expect(']')
                return out
            }
        }

        private fun string(): String {
            expect('"')
            val out = StringBuilder()
            while (true) {
                if (atEnd()) throw error("unterminated string")
                val c = text[at++]
                when {
                    c == '"' -> return out.toString()
                    c < ' ' -> throw error("control character in a string")
                    c != '\\' -> out.append(c)
                    atEnd() -> throw error("unterminated escape")
                    else -> when (val e = text[at++]) {
                        '"', '\\', '/' -> out.append(e)
                        'b' -> out.append('\b')
                        'f' -> out.append('\u000c')
                        'n' -> out.append('\n')
                        'r' -> out.append('\r')
                        't' -> out.append('\t')
                        'u' -> {
                            if (at + 4 > text.length) throw error("short \\u escape")
                            val hex = text.substring(at, at + 4)
                            out.append(hex.toIntOrNull(16)?.toChar() ?: throw error("bad \\u escape \"$hex\""))
                            at += 4
                        }
                        else -> throw error("bad escape \\$e")
                    }
                }
            }
        }

        private fun number(): Any {
            val start = at
            if (!atEnd() && text[at] == '-') at++
            digits()
            var integral = true
            if (!atEnd() && text[at] == '.') { at++; digits(); integral = false }
            if (!atEnd() && text[at] in "eE") {
                at++
                if (!atEnd() && text[at] in "+-") at++
                digits()
                integral = false
            }
            val literal = text.substring(start, at)
            if (literal.length > 1 && literal.trimStart('-').let { it.length > 1 && it[0] == '0' && it[1].isDigit() }) {
                throw error("leading zero in $literal")
            }
            return (if (integral) literal.toLongOrNull() else null) ?: literal.toDouble()
        }

        private fun digits() {
            val start = at
            while (at < text.length && text[at] in '0'..'9') at++
            if (at == start) throw error(if (atEnd()) "a number ends early" else "unexpected character '${text[at]}'")
        }
    }
}

/** Field access with messages that name the field: `info.obj("input").int("...")`. */
internal class Fields(private val map: Map<String, Any?>, private val where: String) {
    fun has(key: String) = map[key] != null
    fun raw(key: String): Any? = map[key]

    private fun need(key: String): Any =
        map[key] ?: throw JsonException("$where: \"$key\" is missing")

    fun obj(key: String): Fields = Fields(
        need(key).let { v -> v as? Map<*, *> ?: throw JsonException("$where: \"$key\" is not an object") }
            .entries.associate { (k, v) -> k.toString() to v },
        "$where.$key",
    )

    fun optObj(key: String): Fields? = if (map[key] == null) null else obj(key)

    fun string(key: String): String = need(key) as? String ?: throw JsonException("$where: \"$key\" is not a string")

    fun bool(key: String): Boolean = need(key) as? Boolean ?: throw JsonException("$where: \"$key\" is not true/false")

    fun double(key: String): Double = toDouble(need(key), key)

    fun int(key: String): Int {
        val v = need(key)
        if (v !is Long || v < Int.MIN_VALUE || v > Int.MAX_VALUE) throw JsonException("$where: \"$key\" is not an integer: $v")
        return v.toInt()
    }

    fun list(key: String): List<Any?> = need(key) as? List<*> ?: throw JsonException("$where: \"$key\" is not an array")

    fun ints(key: String): List<Int> = list(key).map {
        if (it !is Long || it < Int.MIN_VALUE || it > Int.MAX_VALUE) throw JsonException("$where: \"$key\" holds $it, not an integer")
        it.toInt()
    }

    fun doubles(key: String): List<Double> = list(key).map { toDouble(it, key) }

    private fun toDouble(v: Any?, key: String): Double = when (v) {
        is Long -> v.toDouble()
        is Double -> v
        else -> throw JsonException("$where: \"$key\" is not a number: $v")
    }
}
