//! The deployment files as an operator installs them: the systemd units of
//! `deploy/systemd` pass `systemd-analyze verify` (with the binaries at this
//! checkout's paths), carry the hardening, and read the env files the
//! README's deployment steps and `make rehearsal` write.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

const UNITS: [&str; 7] = [
    "nats-hub.service",
    "nats-leaf.service",
    "wharf-edge.service",
    "wharf-router@.service",
    "wharf-sender@.service",
    "wharf-admin.service",
    "wharf-reconcile.service",
];

fn unit(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("deploy/systemd")
            .join(name),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_unit_is_hardened_and_reads_an_env_file_the_readme_names() {
    let readme = include_str!("../README.md");
    for name in UNITS {
        let text = unit(name);
        for option in [
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "PrivateTmp=yes",
            "ProtectHome=yes",
            "RestrictAddressFamilies=",
            "SystemCallFilter=@system-service",
        ] {
            assert!(text.contains(option), "{name} lacks {option}");
        }
        assert!(
            text.contains("\nUser=wharf\n") || text.contains("\nUser=wharf-nats\n"),
            "{name} runs as root"
        );
        let env_files: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("EnvironmentFile="))
            .collect();
        assert!(!env_files.is_empty(), "{name} reads no env file");
        for file in env_files {
            let file = file.trim_start_matches('-').rsplit('/').next().unwrap();
            let file = file.replace("%i", "<n>");
            assert!(
                readme.contains(&file),
                "{name}: {file} is not in the README"
            );
        }
    }
}

#[test]
fn the_units_pass_systemd_analyze_verify() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("systemd-analyze not found: the units' verification is skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let nats = root.join(".tools/nats/bin/nats-server");
    let nats = if nats.is_file() {
        nats
    } else {
        Path::new("/bin/true").to_owned()
    };
    let mut paths = Vec::new();
    for name in UNITS {
        // verify wants the binaries to exist: this checkout's.
        let text = unit(name)
            .replace("/usr/local/bin/wharf", env!("CARGO_BIN_EXE_wharf"))
            .replace("/usr/local/bin/nats-server", &nats.display().to_string());
        // A template is verified as an instance of it.
        let file = dir.path().join(name.replace("@.", "@1."));
        std::fs::write(&file, text).unwrap();
        paths.push(file);
    }
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .args(&paths)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.trim().is_empty(),
        "systemd-analyze verify: {stderr}"
    );
}
