//! `strata user add | list | remove | rotate-key`: users, through a running server's admin
//! API (`/_strata/admin/users`), signed with the administrator's key pair (the one
//! `strata serve` was started with).
//!
//! The administrator's keys are `--admin-access-key` and `--admin-secret-key`, or
//! `STRATA_ACCESS_KEY` and `STRATA_SECRET_KEY` as for `strata serve` and the other client
//! commands (`--access-key` and `--secret-key` here are the new user's, for `add`).

use crate::target::{Failure, exit};
use std::process::ExitCode;
use strata_client::{Client, Config, Dialect, NewUser, UserCredentials, UserInfo};

#[derive(clap::Args, Debug)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(clap::Subcommand, Debug)]
enum UserCommand {
    /// Add a user and print its key pair (the only time the secret key is shown).
    Add(AddArgs),
    /// List the users: the administrator first, then the stored users (never a secret).
    List(ListArgs),
    /// Remove a user: its key pair is refused from the next request on.
    Remove(KeyArgs),
    /// Give a user a new secret key and print it; the access key stays, and the old secret
    /// is refused from the next request on.
    RotateKey(KeyArgs),
}

/// The server, and its administrator's key pair (also `strata compact`'s).
#[derive(clap::Args, Debug)]
pub(crate) struct AdminConn {
    /// The server's endpoint, http://HOST[:PORT].
    #[arg(
        long,
        value_name = "URL",
        env = "STRATA_ENDPOINT",
        default_value = "http://127.0.0.1:9000"
    )]
    endpoint: String,

    /// The administrator's access key (the key pair `strata serve` was started with).
    #[arg(
        long,
        value_name = "KEY",
        env = "STRATA_ACCESS_KEY",
        hide_env_values = true
    )]
    admin_access_key: Option<String>,

    /// The administrator's secret key. Prefer the environment variable: command lines are
    /// visible to other users.
    #[arg(
        long,
        value_name = "KEY",
        env = "STRATA_SECRET_KEY",
        hide_env_values = true
    )]
    admin_secret_key: Option<String>,

    /// Without keys given and with an endpoint on this machine (127.0.0.1, ::1, localhost),
    /// sign with the key pair `strata serve` saved in DIR/credentials (the administrator's,
    /// when the server generated it).
    #[arg(long, value_name = "DIR", default_value = "./strata-data")]
    data_dir: std::path::PathBuf,
}

impl AdminConn {
    pub(crate) fn client(&self) -> Result<Client, Failure> {
        let credentials = crate::target::local_or_given(
            (&self.admin_access_key, &self.admin_secret_key),
            &self.endpoint,
            &self.data_dir,
            "the administrator's credentials are required: --admin-access-key and \
             --admin-secret-key (or STRATA_ACCESS_KEY and STRATA_SECRET_KEY)",
        )?;
        Client::new(Config {
            endpoint: self.endpoint.clone(),
            dialect: Dialect::S3,
            credentials,
            region: None,
        })
        .map_err(|e| Failure::Usage(e.to_string()))
    }
}

#[derive(clap::Args, Debug)]
struct AddArgs {
    /// The owner ID the user acts as (what its buckets and objects record; users with the
    /// same ID share them).
    #[arg(long, value_name = "ID")]
    id: String,

    /// The name S3 and OSS listings show (default: the owner ID).
    #[arg(long, value_name = "NAME")]
    display_name: Option<String>,

    /// The user's access key (default: generated, 20 uppercase letters and digits). Give the
    /// secret key too.
    #[arg(long, value_name = "KEY", requires = "secret_key")]
    access_key: Option<String>,

    /// The user's secret key (default: generated, 40 characters). Give the access key too.
    #[arg(long, value_name = "KEY", requires = "access_key")]
    secret_key: Option<String>,

    #[command(flatten)]
    conn: AdminConn,
}

#[derive(clap::Args, Debug)]
struct ListArgs {
    #[command(flatten)]
    conn: AdminConn,
}

#[derive(clap::Args, Debug)]
struct KeyArgs {
    /// The user's access key.
    #[arg(value_name = "ACCESS_KEY")]
    access_key: String,

    #[command(flatten)]
    conn: AdminConn,
}

pub async fn run(args: UserArgs) -> ExitCode {
    let (name, result) = match args.command {
        UserCommand::Add(a) => ("user add", add(a).await),
        UserCommand::List(a) => ("user list", list(a).await),
        UserCommand::Remove(a) => ("user remove", remove(a).await),
        UserCommand::RotateKey(a) => ("user rotate-key", rotate(a).await),
    };
    exit(name, result)
}

fn failed(e: strata_client::Error) -> Failure {
    Failure::Failed(e.to_string())
}

async fn add(args: AddArgs) -> Result<ExitCode, Failure> {
    let client = args.conn.client()?;
    let user = client
        .admin_add_user(&NewUser {
            id: args.id,
            display_name: args.display_name,
            access_key: args.access_key,
            secret_key: args.secret_key,
        })
        .await
        .map_err(failed)?;
    print!("{}", render_credentials(&user));
    eprintln!("strata user add: keep the secret key: it is not shown again");
    Ok(ExitCode::SUCCESS)
}

async fn list(args: ListArgs) -> Result<ExitCode, Failure> {
    let users = args
        .conn
        .client()?
        .admin_list_users()
        .await
        .map_err(failed)?;
    print!("{}", render_table(&users));
    Ok(ExitCode::SUCCESS)
}

async fn remove(args: KeyArgs) -> Result<ExitCode, Failure> {
    let client = args.conn.client()?;
    client
        .admin_remove_user(&args.access_key)
        .await
        .map_err(failed)?;
    println!("removed user {}", args.access_key);
    Ok(ExitCode::SUCCESS)
}

async fn rotate(args: KeyArgs) -> Result<ExitCode, Failure> {
    let client = args.conn.client()?;
    let user = client
        .admin_rotate_user_key(&args.access_key)
        .await
        .map_err(failed)?;
    print!("{}", render_credentials(&user));
    eprintln!("strata user rotate-key: the old secret key no longer works; keep the new one");
    Ok(ExitCode::SUCCESS)
}

/// A user's key pair and names, one `name: value` line each.
fn render_credentials(u: &UserCredentials) -> String {
    format!(
        "access key:   {}\nsecret key:   {}\nowner ID:     {}\ndisplay name: {}\n",
        u.access_key, u.secret_key, u.id, u.display_name
    )
}

/// The users as a table with a header line, columns padded to their widest value.
fn render_table(users: &[UserInfo]) -> String {
    let header = ["ACCESS KEY", "OWNER ID", "DISPLAY NAME", "CREATED"];
    let rows: Vec<[&str; 4]> = users
        .iter()
        .map(|u| {
            let created = match (&u.created, u.administrator) {
                (_, true) => "(administrator)",
                (Some(c), false) => c.as_str(),
                (None, false) => "-",
            };
            [
                u.access_key.as_str(),
                u.id.as_str(),
                u.display_name.as_str(),
                created,
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lines_up() {
        let users = [
            UserInfo {
                access_key: "ADMINKEY".into(),
                id: "admin".into(),
                display_name: "admin".into(),
                created: None,
                administrator: true,
            },
            UserInfo {
                access_key: "CAROLKEY0000".into(),
                id: "carol".into(),
                display_name: "Carol C.".into(),
                created: Some("2026-01-02T03:04:05Z".into()),
                administrator: false,
            },
        ];
        assert_eq!(
            render_table(&users),
            "ACCESS KEY    OWNER ID  DISPLAY NAME  CREATED\n\
             ADMINKEY      admin     admin         (administrator)\n\
             CAROLKEY0000  carol     Carol C.      2026-01-02T03:04:05Z\n"
        );
    }

    #[test]
    fn credentials_print_one_per_line() {
        let u = UserCredentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            id: "i".into(),
            display_name: "n".into(),
            created: None,
        };
        assert_eq!(
            render_credentials(&u),
            "access key:   AK\nsecret key:   SK\nowner ID:     i\ndisplay name: n\n"
        );
    }
}
