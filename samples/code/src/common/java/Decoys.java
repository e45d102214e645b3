package {{PKG}};

import android.content.SharedPreferences;
import android.util.Log;
import android.widget.TextView;

/** Decoys present in every code sample: secret shapes in places that do not make them secrets. */
public class Decoys {
    public static String apiKeyPlaceholder;
    public static String apiSecretPlaceholder;
    public static String exampleAccessKeyId;
    public static String exampleSecretAccessKey;

    static {
        apiKeyPlaceholder = "YOUR_API_KEY";
        apiSecretPlaceholder = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
        exampleAccessKeyId = "AKIAIOSFODNN7EXAMPLE";
        exampleSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    }

    public static void showBanner(TextView title, TextView body, TextView footer) {
        title.setText("{{CODE_DECOY_UI_ALNUM50}}");
        body.setText("{{CODE_DECOY_UI_HEX32}}");
        footer.setText("{{CODE_DECOY_UI_B64_40}}");
    }

    public static void logSync() {
        Log.d("LeakdexSync", "{{CODE_DECOY_LOG_ALNUM32}}");
        Log.d("LeakdexSync", "{{CODE_DECOY_LOG_ALNUM25}}");
    }

    public static String readPrefs(SharedPreferences prefs) {
        String key = prefs.getString("api_key", null);
        return prefs.getString("client_secret", key);
    }

    public static boolean handleIntent(String action) {
        return action.equals("android.intent.action.VIEW");
    }

    public static boolean login(String action) {
        return "com.leakdex.LOGIN".equals(action);
    }

    public static boolean isExperimentEnabled(String id) {
        return id.equals("{{CODE_DECOY_FLAG_HEX32}}");
    }
}
