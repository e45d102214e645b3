package com.amazonaws.auth;

/** Minimal stub of the AWS SDK's BasicAWSCredentials. */
public class BasicAWSCredentials {
    public BasicAWSCredentials(String accessKey, String secretKey) { }
}
