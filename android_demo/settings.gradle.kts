// The Android demo: the app (:app) over its plain-Kotlin logic (:core). Needs Google's Maven repository (the
// Android Gradle plugin, AndroidX, LiteRT), so it builds in Android Studio or with ./gradlew, not off-line.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "mobilecnn-android-demo"
include(":app", ":core")
