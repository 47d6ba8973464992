//! Generates the client from the committed spec at build time, so the client
//! can never drift from `admin/openapi.json` (which CI checks against the
//! server's code).

fn main() {
    let spec_path = "../admin/openapi.json";
    println!("cargo:rerun-if-changed={spec_path}");
    let file = std::fs::File::open(spec_path).expect("admin/openapi.json is readable");
    let spec: openapiv3::OpenAPI =
        serde_json::from_reader(file).expect("admin/openapi.json is OpenAPI 3");
    let mut generator = progenitor::Generator::default();
    let tokens = generator
        .generate_tokens(&spec)
        .expect("progenitor accepts the spec");
    let ast = syn::parse2(tokens).expect("generated code parses");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("codegen.rs");
    std::fs::write(out, prettyplease::unparse(&ast)).expect("OUT_DIR is writable");
}
