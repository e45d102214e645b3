package com.leakdex.sample.code.shapepairs;

/** Loads libpairs.so; the values themselves are only in .rodata and assets/blob.bin. */
public final class NativeLib {
    static {
        System.loadLibrary("pairs");
    }

    public static native String pair(int i);
}
