@preconcurrency import Crypto

/// The animated QR code of BankID's Secure start (RP guidelines v6): the payload changes every
/// second, `bankid.{qrStartToken}.{seconds since the auth answer}.{HMAC-SHA256(qrStartSecret, seconds)}`,
/// computed on the server so the secret never reaches the browser.
public enum AnimatedQR {
    public static func payload(startToken: String, startSecret: String, seconds: Int) -> String {
        let key = SymmetricKey(data: Array(startSecret.utf8))
        let code = HMAC<SHA256>.authenticationCode(for: Array(String(seconds).utf8), using: key)
        let hex = code.map { byte -> String in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }.joined()
        return "bankid.\(startToken).\(seconds).\(hex)"
    }
}
