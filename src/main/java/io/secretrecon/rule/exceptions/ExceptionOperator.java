package io.secretrecon.rule.exceptions;

/** How an exception tests a field's values, written as in Kibana's exception builder. */
public enum ExceptionOperator {
    /** Equal to the one value (exact, case-sensitive). */
    IS("is"),
    /** Equal to any of the values. */
    IS_ONE_OF("is one of"),
    /** Matches the one ES|QL LIKE pattern ({@code *} any sequence, {@code ?} one character). */
    MATCHES("matches"),
    /** {@code source.ip} only: inside any of the CIDR blocks (an address alone is a /32 or /128). */
    IP_IN_CIDR("ip in cidr");

    private final String text;

    ExceptionOperator(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** The operator written so, or null. */
    public static ExceptionOperator byText(String text) {
        for (ExceptionOperator o : values()) {
            if (o.text.equals(text)) {
                return o;
            }
        }
        return null;
    }
}
