// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "konfident",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "konfident", targets: ["konfident"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        // libcurl's header at build time (libcurl4-openssl-dev); the library itself is loaded on first use.
        .target(name: "CCurl"),
        .systemLibrary(name: "CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .target(name: "FastCGI", dependencies: ["CFastCGI"]),
        .target(name: "KonfidentCore", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "KonfidentStore", dependencies: [
            "KonfidentCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        .target(name: "Delivery", dependencies: [
            "KonfidentCore", "KonfidentStore", "CCurl",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "BankID", dependencies: [
            "KonfidentCore", "CQREncode", "FastCGI", "CCurl",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "KonfidentWeb", dependencies: [
            "FastCGI", "KonfidentCore", "KonfidentStore", "BankID",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "konfident", dependencies: [
            "FastCGI", "KonfidentCore", "KonfidentStore", "KonfidentWeb", "Delivery", "BankID",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "KonfidentCoreTests", dependencies: ["KonfidentCore", "TestSupport"]),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI", "TestSupport"]),
        .testTarget(name: "KonfidentStoreTests", dependencies: ["KonfidentStore", "TestSupport"]),
        .testTarget(name: "KonfidentWebTests", dependencies: ["KonfidentWeb", "KonfidentStore", "KonfidentCore", "FastCGI", "BankID", "TestSupport"]),
        .testTarget(name: "BankIDTests", dependencies: ["BankID", "FastCGI", "KonfidentCore", "TestSupport"]),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "KonfidentStore", "KonfidentCore", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["BankID"]),
    ]
)
