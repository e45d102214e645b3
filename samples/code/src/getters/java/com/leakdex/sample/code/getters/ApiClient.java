package com.leakdex.sample.code.getters;

/** A non-final static field assigned in the static initializer (javac: putstatic in <clinit>, no ConstantValue). */
public class ApiClient {
    static String baseUrl;
    static String apiSecret;

    static {
        baseUrl = "https://api.leakdex-sample.io/v1/";
        apiSecret = "{{CODE_CLINIT_API_SECRET}}";
    }
}
