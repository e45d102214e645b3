package twitter4j.conf;

/** Minimal stub of twitter4j's ConfigurationBuilder (real package, name and signatures; bodies do nothing). */
public final class ConfigurationBuilder {
    public ConfigurationBuilder() { }
    public ConfigurationBuilder setOAuthConsumerKey(String oAuthConsumerKey) { return this; }
    public ConfigurationBuilder setOAuthConsumerSecret(String oAuthConsumerSecret) { return this; }
    public ConfigurationBuilder setOAuthAccessToken(String oAuthAccessToken) { return this; }
    public ConfigurationBuilder setOAuthAccessTokenSecret(String oAuthAccessTokenSecret) { return this; }
}
