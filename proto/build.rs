//! Compiles the gRPC services in `grpc/` (tonic + prost) into `OUT_DIR`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = [
        "grpc/obm.proto",
        "grpc/hot_wallet.proto",
        "grpc/exchange.proto",
    ];
    for proto in protos {
        println!("cargo:rerun-if-changed={proto}");
    }
    tonic_prost_build::configure().compile_protos(&protos, &["grpc"])?;
    Ok(())
}
