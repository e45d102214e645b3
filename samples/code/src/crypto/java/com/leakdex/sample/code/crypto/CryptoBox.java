package com.leakdex.sample.code.crypto;

import android.util.Base64;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** Hardcoded key material handed to javax.crypto: directly, via getBytes, toCharArray, Base64 and a hex decoder. */
public final class CryptoBox {
    public static SecretKeySpec aesKey() {
        return new SecretKeySpec("{{CODE_AES_KEY16}}".getBytes(), "AES");
    }

    public static IvParameterSpec iv() {
        return new IvParameterSpec("{{CODE_AES_IV16}}".getBytes());
    }

    public static PBEKeySpec passwordSpec(byte[] salt) {
        return new PBEKeySpec("{{CODE_PBE_PASSWORD}}".toCharArray(), salt, 1000, 256);
    }

    public static SecretKeySpec hmacKey() {
        return new SecretKeySpec(Base64.decode("{{CODE_HMAC_KEY_B64}}", 0), "HmacSHA256");
    }

    public static SecretKeySpec wrappingKey() {
        return new SecretKeySpec(hex("{{CODE_AES_KEY_HEX}}"), "AES");
    }

    /** Decoys: algorithm names. */
    public static Cipher cipher() throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
        c.init(1, aesKey(), iv());
        return c;
    }

    public static Mac mac() throws GeneralSecurityException {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(hmacKey());
        return m;
    }

    static byte[] hex(String s) {
        int n = s.length();
        byte[] out = new byte[n / 2];
        for (int i = 0; i < n; i += 2) {
            out[i / 2] = (byte) ((Character.digit(s.charAt(i), 16) << 4) + Character.digit(s.charAt(i + 1), 16));
        }
        return out;
    }
}
