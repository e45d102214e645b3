package com.amazonaws.auth;

import android.content.Context;
import com.amazonaws.regions.Regions;

/** Minimal stub of the AWS SDK's CognitoCachingCredentialsProvider. */
public class CognitoCachingCredentialsProvider {
    public CognitoCachingCredentialsProvider(Context context, String identityPoolId, Regions region) { }
}
