package com.leakdex.sample.code.renamed;

import android.util.Base64;
import com.amazonaws.auth.BasicAWSCredentials;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.Credentials;
import okhttp3.Request;
import twitter4j.conf.ConfigurationBuilder;

/*
 * The code of code-renamed before R8: a subset of code-getters, code-crypto, code-compare, code-urls and code-sdk
 * (same values), one top-level class per obfuscated class. mapping.txt gives the names R8 gave them; the DEX
 * (smali/) holds the renamed classes. LoginActivity is declared in the manifest, so R8 keeps its class name
 * (its methods are still renamed).
 */

final class TwitterKeys {                                  // -> a.a
    static String consumerKey() { return "{{CODE_TW_CONSUMER_KEY}}"; }           // -> a()
    static String consumerSecret() { return "{{CODE_TW_CONSUMER_SECRET}}"; }     // -> b()
}

class ApiClient {                                          // -> a.b
    static String apiSecret;                               // -> a
    static { apiSecret = "{{CODE_CLINIT_API_SECRET}}"; }
}

class OAuthClient {                                        // -> a.c
    private final String clientId;                         // -> a
    private final String clientSecret;                     // -> b
    OAuthClient() {
        this.clientId = "leakdex-android-client";
        this.clientSecret = "{{CODE_OAUTH_CLIENT_SECRET}}";
    }
}

final class CryptoBox {                                    // -> a.d
    static SecretKeySpec aesKey() { return new SecretKeySpec("{{CODE_AES_KEY16}}".getBytes(), "AES"); }           // -> a()
    static SecretKeySpec hmacKey() { return new SecretKeySpec(Base64.decode("{{CODE_HMAC_KEY_B64}}", 0), "HmacSHA256"); } // -> b()
    static SecretKeySpec wrappingKey() { return new SecretKeySpec(hex("{{CODE_AES_KEY_HEX}}"), "AES"); }          // -> c()
    static byte[] hex(String s) {                                                                                  // -> a(String)
        int n = s.length();
        byte[] out = new byte[n / 2];
        for (int i = 0; i < n; i += 2) {
            out[i / 2] = (byte) ((Character.digit(s.charAt(i), 16) << 4) + Character.digit(s.charAt(i + 1), 16));
        }
        return out;
    }
}

class AuthManager {                                        // -> a.e
    boolean verifyAdmin(String input) { return input.equals("{{CODE_ADMIN_PASSWORD}}"); }  // -> a(String)
}

final class WeatherApi {                                   // -> a.f
    static String forecastUrl(String city) {               // -> a(String)
        return new StringBuilder().append("https://api.example-weather.io/v1/forecast?api_key=")
                .append("{{CODE_WEATHER_API_KEY}}").append("&q=").append(city).toString();
    }
}

final class HttpApi {                                      // -> a.g (ApiClient in code-urls)
    static Request profile() {                             // -> a()
        String auth = new StringBuilder().append("Bearer ").append("{{CODE_BEARER_TOKEN}}").toString();
        return new Request.Builder().url("https://api.leakdex-sample.io/v1/me").addHeader("Authorization", auth).build();
    }
    static String serviceAuth() { return Credentials.basic("svc-user", "{{CODE_BASIC_PASSWORD}}"); }  // -> b()
}

final class SdkSetup {                                     // -> a.h
    static ConfigurationBuilder twitter4j() {              // -> a()
        return new ConfigurationBuilder()
                .setOAuthConsumerKey("{{CODE_SDK_TW_CONSUMER_KEY}}")
                .setOAuthConsumerSecret("{{CODE_SDK_TW_CONSUMER_SECRET}}")
                .setOAuthAccessToken("{{CODE_SDK_TW_ACCESS_TOKEN}}")
                .setOAuthAccessTokenSecret("{{CODE_SDK_TW_ACCESS_TOKEN_SECRET}}");
    }
}

final class AwsSetup {                                     // -> a.i
    static BasicAWSCredentials credentials() {             // -> a()
        return new BasicAWSCredentials("{{CODE_SDK_AWS_ACCESS_KEY_ID}}", "{{CODE_SDK_AWS_SECRET_ACCESS_KEY}}");
    }
}
