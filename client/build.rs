//! Generates the client from the committed spec at build time, so the client
//! can never drift from `admin/openapi.json` (which CI checks against the
//! server's code).

fn main() {
    let spec_path = "../admin/openapi.json";
    println!("cargo:rerun-if-changed={spec_path}");
    let file = std::fs::File::open(spec_path).expect("admin/openapi.json is readable");
    let mut spec: openapiv3::OpenAPI =
        serde_json::from_reader(file).expect("admin/openapi.json is OpenAPI 3");
    raw_bodies_only(&mut spec);
    let mut generator = progenitor::Generator::default();
    let tokens = generator
        .generate_tokens(&spec)
        .expect("progenitor accepts the spec");
    let ast = syn::parse2(tokens).expect("generated code parses");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("codegen.rs");
    std::fs::write(out, prettyplease::unparse(&ast)).expect("OUT_DIR is writable");
}

/// progenitor 0.11 generates no `multipart/form-data` bodies and takes one
/// content type per body: an operation that also takes the raw file
/// (`application/octet-stream`, e.g. `sendAttachment`) is generated with
/// that one. Other clients (TypeScript, Python) keep both.
fn raw_bodies_only(spec: &mut openapiv3::OpenAPI) {
    for (_, item) in spec.paths.paths.iter_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            if let Some(openapiv3::ReferenceOr::Item(body)) = operation.request_body.as_mut()
                && body.content.len() > 1
            {
                body.content.shift_remove("multipart/form-data");
            }
        }
    }
}
