package com.leakdex.sample.code.compare

/** Kotlin `==` on strings compiles to Intrinsics.areEqual(input, "..."). */
class SessionManager {
    fun login(input: String): Boolean = input == "{{CODE_KT_LOGIN_SECRET}}"
}
