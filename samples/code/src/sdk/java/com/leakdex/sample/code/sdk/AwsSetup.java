package com.leakdex.sample.code.sdk;

import android.content.Context;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.auth.BasicSessionCredentials;
import com.amazonaws.auth.CognitoCachingCredentialsProvider;
import com.amazonaws.regions.Regions;

/** AWS credentials given to the AWS SDK's credential classes. */
public final class AwsSetup {
    public static BasicAWSCredentials credentials() {
        return new BasicAWSCredentials("{{CODE_SDK_AWS_ACCESS_KEY_ID}}", "{{CODE_SDK_AWS_SECRET_ACCESS_KEY}}");
    }

    public static BasicSessionCredentials session() {
        return new BasicSessionCredentials("{{CODE_SDK_AWS_SESSION_KEY_ID}}", "{{CODE_SDK_AWS_SESSION_SECRET}}",
                "{{CODE_SDK_AWS_SESSION_TOKEN}}");
    }

    public static CognitoCachingCredentialsProvider cognito(Context context) {
        return new CognitoCachingCredentialsProvider(context, "{{CODE_SDK_COGNITO_POOL}}", Regions.US_EAST_1);
    }
}
