import Foundation
import KonfidentCore

/// The server key file (DESIGN §2): 32 random bytes, mode 0600, next to the database by default.
enum SecretFile {
    /// Creates the key file if it does not exist (`konfident migrate`).
    static func create(at path: String, random: any RandomSource = SystemRandom()) throws {
        if FileManager.default.fileExists(atPath: path) { return }
        let bytes = random.bytes(32)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw ConfigurationError(description: "KONFIDENT_SECRET_FILE: cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw ConfigurationError(description: "KONFIDENT_SECRET_FILE: cannot write \(path)")
        }
    }

    static func load(from path: String) throws(ConfigurationError) -> ServerKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(description: "KONFIDENT_SECRET_FILE: cannot read \(path); `konfident migrate` creates it")
        }
        guard data.count >= 32 else {
            throw ConfigurationError(description: "KONFIDENT_SECRET_FILE: \(path) holds fewer than 32 bytes")
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            throw ConfigurationError(description: "KONFIDENT_SECRET_FILE: \(path) is readable by others; chmod 600 it")
        }
        return ServerKey(bytes: [UInt8](data))
    }
}
