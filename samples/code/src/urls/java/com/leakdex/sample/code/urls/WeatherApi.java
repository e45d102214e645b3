package com.leakdex.sample.code.urls;

/** An API key appended after a URL ending in ?api_key= (explicit StringBuilder, so javac cannot fold it). */
public final class WeatherApi {
    public static String forecastUrl(String city) {
        return new StringBuilder()
                .append("https://api.example-weather.io/v1/forecast?api_key=")
                .append("{{CODE_WEATHER_API_KEY}}")
                .append("&q=")
                .append(city)
                .toString();
    }
}
