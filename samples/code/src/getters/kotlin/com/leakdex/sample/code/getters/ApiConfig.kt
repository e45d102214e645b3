package com.leakdex.sample.code.getters

/** A Kotlin object with a non-const val: a private static final field set in <clinit>, plus getApiToken(). */
object ApiConfig {
    val apiToken = "{{CODE_KT_API_TOKEN}}"
}
