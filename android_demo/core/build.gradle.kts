// :core, the app's logic in plain Kotlin (no android.* import): a JVM library the app depends on.
plugins {
    alias(libs.plugins.kotlin.jvm)
}

kotlin {
    jvmToolchain(17)
    compilerOptions {
        allWarningsAsErrors.set(true)
    }
}

dependencies {
    testImplementation(libs.junit)
}

tasks.test {
    // GoldenTest reads data that tests/test_android_core.py generates (Python exports the models and writes
    // the expected bytes); it runs there, with kotlinc, not under Gradle.
    exclude("**/GoldenTest*")
}
