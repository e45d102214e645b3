package com.amazonaws.regions;

/** Minimal stub of the AWS SDK's Regions (an enum in the SDK; a class with one constant here). */
public final class Regions {
    public static Regions US_EAST_1;
    private Regions() { }
}
