package android.widget;

/** Compile-only stub of the framework class. */
public class TextView {
    public final void setText(CharSequence text) { }
}
