package com.amazonaws.auth;

/** Minimal stub of the AWS SDK's BasicSessionCredentials. */
public class BasicSessionCredentials {
    public BasicSessionCredentials(String awsAccessKey, String awsSecretKey, String sessionToken) { }
}
