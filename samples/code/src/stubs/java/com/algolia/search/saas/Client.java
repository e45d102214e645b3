package com.algolia.search.saas;

/** Minimal stub of the Algolia (v3) Client. */
public class Client {
    public Client(String applicationID, String apiKey) { }
}
