//! Exercise templates: a therapist's own library and the starter library
//! every therapist can read and copy.
//!
//! A template's content lives in versions. Every edit writes a new version
//! and moves `current_version`; nothing in a version ever changes, so an
//! assignment (which names its version) and every answer to it always
//! render against the fields they were given.

use diesel::prelude::*;
use serde::Deserialize;

use super::fields::{check_line, check_text, FieldSpec, Fields, Problems};
use crate::access::Therapist;
use crate::db::schema::{exercise_template_versions, exercise_templates};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{TemplateId, UserId};
use crate::page::PageRequest;
use crate::time::Timestamp;

crate::text_enum! {
    /// What an exercise is about.
    pub enum Category {
        Reflection => "reflection",
        Trigger => "trigger",
        Question => "question",
        Creative => "creative",
        /// Nourishment, hydration, movement, sleep.
        Body => "body",
        Connection => "connection",
        Grounding => "grounding",
        Cognitive => "cognitive",
        Behavioural => "behavioural",
        Other => "other",
    }
}

crate::text_enum! {
    /// Whose library a template is in.
    pub enum Source {
        /// The starter library that ships with the service (read-only; copy
        /// one to change it).
        Starter => "starter",
        /// The therapist's own.
        Mine => "mine",
    }
}

pub const TITLE_MAX_CHARS: usize = 200;
pub const PURPOSE_MAX_CHARS: usize = 500;
pub const INSTRUCTIONS_MAX_CHARS: usize = 20_000;
pub const DURATION_MAX_MINUTES: i32 = 480;

/// What a template version says, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub title: String,
    pub purpose: String,
    pub instructions: String,
    pub duration_minutes: Option<i32>,
    pub category: Category,
    pub fields: Fields,
}

/// A template's content as sent: every part optional, for a change.
#[derive(Debug, Clone, Default)]
pub struct ContentParts {
    pub title: Option<String>,
    pub purpose: Option<String>,
    pub instructions: Option<String>,
    pub duration_minutes: Option<Option<i32>>,
    pub category: Option<Category>,
    pub fields: Option<Vec<FieldSpec>>,
}

impl Content {
    /// Checks a whole content: `title`, `category` and `fields` are needed.
    pub fn parse(parts: ContentParts) -> Result<Self, Vec<FieldError>> {
        let mut problems = Problems::default();
        if parts.title.is_none() {
            problems.add("title", "required", "must be given");
        }
        if parts.category.is_none() {
            problems.add("category", "required", "must be given");
        }
        if parts.fields.is_none() {
            problems.add("fields", "required", "must be given");
        }
        let title = parts.title.unwrap_or_default();
        check_line(&mut problems, "title", &title, TITLE_MAX_CHARS, true);
        let purpose = parts.purpose.unwrap_or_default();
        check_line(&mut problems, "purpose", &purpose, PURPOSE_MAX_CHARS, false);
        let instructions = parts.instructions.unwrap_or_default();
        check_text(
            &mut problems,
            "instructions",
            &instructions,
            INSTRUCTIONS_MAX_CHARS,
        );
        let duration_minutes = parts.duration_minutes.flatten();
        if duration_minutes.is_some_and(|m| !(1..=DURATION_MAX_MINUTES).contains(&m)) {
            problems.add(
                "duration_minutes",
                "out_of_range",
                format!("must be from 1 to {DURATION_MAX_MINUTES}"),
            );
        }
        let fields = match parts.fields.map(|f| Fields::parse("fields", f)) {
            Some(Ok(fields)) => Some(fields),
            Some(Err(errors)) => {
                problems.0.extend(errors);
                None
            }
            None => None,
        };
        match (fields, parts.category) {
            (Some(fields), Some(category)) if problems.is_empty() => Ok(Self {
                title: title.trim().to_owned(),
                purpose: purpose.trim().to_owned(),
                instructions,
                duration_minutes,
                category,
                fields,
            }),
            _ => Err(problems.0),
        }
    }

    /// This content with `changes` applied, checked again as a whole.
    pub fn with(&self, changes: ContentParts) -> Result<Self, Vec<FieldError>> {
        Self::parse(ContentParts {
            title: Some(changes.title.unwrap_or_else(|| self.title.clone())),
            purpose: Some(changes.purpose.unwrap_or_else(|| self.purpose.clone())),
            instructions: Some(
                changes
                    .instructions
                    .unwrap_or_else(|| self.instructions.clone()),
            ),
            duration_minutes: Some(changes.duration_minutes.unwrap_or(self.duration_minutes)),
            category: Some(changes.category.unwrap_or(self.category)),
            fields: Some(
                changes
                    .fields
                    .unwrap_or_else(|| self.fields.as_slice().to_vec()),
            ),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exercise_templates)]
struct TemplateRow {
    id: TemplateId,
    owner_id: Option<UserId>,
    copied_from: Option<TemplateId>,
    current_version: i32,
    created_at: Timestamp,
    updated_at: Timestamp,
    archived_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exercise_template_versions)]
pub(crate) struct VersionRow {
    pub version: i32,
    title: String,
    purpose: String,
    instructions: String,
    duration_minutes: Option<i32>,
    category: Category,
    fields: String,
}

impl VersionRow {
    pub(crate) fn content(&self) -> DomainResult<Content> {
        Ok(Content {
            title: self.title.clone(),
            purpose: self.purpose.clone(),
            instructions: self.instructions.clone(),
            duration_minutes: self.duration_minutes,
            category: self.category,
            fields: Fields::stored(&self.fields)?,
        })
    }
}

/// One version of a template, as a therapist sees it.
#[derive(Debug, Clone)]
pub struct Template {
    pub id: TemplateId,
    pub source: Source,
    pub copied_from: Option<TemplateId>,
    /// The version shown.
    pub version: i32,
    /// The newest version (what a new assignment gets).
    pub current_version: i32,
    pub content: Content,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub archived_at: Option<Timestamp>,
}

impl Template {
    fn of(row: TemplateRow, version: VersionRow) -> DomainResult<Self> {
        Ok(Self {
            id: row.id,
            source: if row.owner_id.is_some() {
                Source::Mine
            } else {
                Source::Starter
            },
            copied_from: row.copied_from,
            version: version.version,
            current_version: row.current_version,
            content: version.content()?,
            created_at: row.created_at,
            updated_at: row.updated_at,
            archived_at: row.archived_at,
        })
    }
}

/// Templates a therapist may read: their own and the starter library.
macro_rules! readable_by {
    ($me:expr) => {
        exercise_templates::owner_id
            .eq($me.id())
            .or(exercise_templates::owner_id.is_null())
    };
}

fn insert_version(
    conn: &mut DbConnection,
    template: TemplateId,
    version: i32,
    content: &Content,
    now: Timestamp,
) -> DomainResult<()> {
    diesel::insert_into(exercise_template_versions::table)
        .values((
            exercise_template_versions::template_id.eq(template),
            exercise_template_versions::version.eq(version),
            exercise_template_versions::title.eq(&content.title),
            exercise_template_versions::purpose.eq(&content.purpose),
            exercise_template_versions::instructions.eq(&content.instructions),
            exercise_template_versions::duration_minutes.eq(content.duration_minutes),
            exercise_template_versions::category.eq(content.category),
            exercise_template_versions::fields.eq(content.fields.to_json()?),
            exercise_template_versions::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

fn insert(
    conn: &mut DbConnection,
    owner: Option<UserId>,
    copied_from: Option<TemplateId>,
    content: &Content,
) -> DomainResult<TemplateId> {
    let id = TemplateId::new();
    let now = Timestamp::now();
    diesel::insert_into(exercise_templates::table)
        .values((
            exercise_templates::id.eq(id),
            exercise_templates::owner_id.eq(owner),
            exercise_templates::copied_from.eq(copied_from),
            exercise_templates::current_version.eq(1),
            exercise_templates::created_at.eq(now),
            exercise_templates::updated_at.eq(now),
        ))
        .execute(conn)?;
    insert_version(conn, id, 1, content, now)?;
    Ok(id)
}

/// Adds a template to the therapist's library.
pub fn create(
    conn: &mut DbConnection,
    me: &Therapist,
    content: &Content,
) -> DomainResult<Template> {
    let id = insert(conn, Some(me.id()), None, content)?;
    get(conn, me, id, None)
}

/// A template of the therapist's own or of the starter library, at
/// `version` (default: the newest); `NotFound` for another therapist's.
pub fn get(
    conn: &mut DbConnection,
    me: &Therapist,
    id: TemplateId,
    version: Option<i32>,
) -> DomainResult<Template> {
    let row: TemplateRow = exercise_templates::table
        .filter(exercise_templates::id.eq(id))
        .filter(readable_by!(me))
        .select(TemplateRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?;
    let version = find_version(conn, id, version.unwrap_or(row.current_version))?;
    Template::of(row, version)
}

pub(crate) fn find_version(
    conn: &mut DbConnection,
    template: TemplateId,
    version: i32,
) -> DomainResult<VersionRow> {
    exercise_template_versions::table
        .find((template, version))
        .select(VersionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)
}

/// The therapist's library and the starter library (current versions,
/// archived ones left out): the therapist's own first, newest first.
pub fn list(
    conn: &mut DbConnection,
    me: &Therapist,
    source: Option<Source>,
    category: Option<Category>,
    page: &PageRequest,
) -> DomainResult<Vec<Template>> {
    let mut query = exercise_templates::table
        .inner_join(
            exercise_template_versions::table.on(exercise_template_versions::template_id
                .eq(exercise_templates::id)
                .and(exercise_template_versions::version.eq(exercise_templates::current_version))),
        )
        .filter(readable_by!(me))
        .filter(exercise_templates::archived_at.is_null())
        .select((TemplateRow::as_select(), VersionRow::as_select()))
        .order(exercise_templates::id.desc())
        .limit(page.fetch())
        .into_boxed();
    match source {
        Some(Source::Mine) => query = query.filter(exercise_templates::owner_id.is_not_null()),
        Some(Source::Starter) => query = query.filter(exercise_templates::owner_id.is_null()),
        None => {}
    }
    if let Some(category) = category {
        query = query.filter(exercise_template_versions::category.eq(category));
    }
    if let Some(after) = page.after {
        query = query.filter(exercise_templates::id.lt(TemplateId(after)));
    }
    query
        .load::<(TemplateRow, VersionRow)>(conn)?
        .into_iter()
        .map(|(row, version)| Template::of(row, version))
        .collect()
}

/// The therapist's own template, locked for this transaction; a starter
/// template is read-only.
fn own(conn: &mut DbConnection, me: &Therapist, id: TemplateId) -> DomainResult<TemplateRow> {
    let query = exercise_templates::table
        .filter(exercise_templates::id.eq(id))
        .filter(readable_by!(me));
    let row = match conn {
        DbConnection::Postgresql(c) => query
            .select(TemplateRow::as_select())
            .for_update()
            .first(c)
            .optional()?,
        DbConnection::Sqlite(c) => query.select(TemplateRow::as_select()).first(c).optional()?,
    }
    .ok_or(DomainError::NotFound)?;
    if row.owner_id.is_none() {
        return Err(DomainError::Forbidden {
            code: "starter_template",
            detail: "Templates of the starter library cannot be changed; copy one into your library and change the copy.".into(),
        });
    }
    Ok(row)
}

/// Changes a template: writes the next version, which new assignments get;
/// existing assignments keep theirs.
pub fn update(
    conn: &mut DbConnection,
    me: &Therapist,
    id: TemplateId,
    changes: ContentParts,
) -> DomainResult<Template> {
    let row = own(conn, me, id)?;
    let current = find_version(conn, id, row.current_version)?.content()?;
    let content = current.with(changes).map_err(DomainError::Validation)?;
    if content != current {
        let next = row.current_version + 1;
        let now = Timestamp::now();
        insert_version(conn, id, next, &content, now)?;
        diesel::update(exercise_templates::table.find(id))
            .set((
                exercise_templates::current_version.eq(next),
                exercise_templates::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    get(conn, me, id, None)
}

/// Archives a template: it leaves the list and cannot be assigned again;
/// assignments made from it go on.
pub fn archive(conn: &mut DbConnection, me: &Therapist, id: TemplateId) -> DomainResult<()> {
    let row = own(conn, me, id)?;
    if row.archived_at.is_none() {
        diesel::update(exercise_templates::table.find(id))
            .set(exercise_templates::archived_at.eq(Some(Timestamp::now())))
            .execute(conn)?;
    }
    Ok(())
}

/// Copies a template (the therapist's own or a starter one, at its newest
/// version) into the therapist's library.
pub fn copy(conn: &mut DbConnection, me: &Therapist, id: TemplateId) -> DomainResult<Template> {
    let source = get(conn, me, id, None)?;
    let copy = insert(conn, Some(me.id()), Some(id), &source.content)?;
    get(conn, me, copy, None)
}

/// A template version a therapist may assign: their own or a starter one,
/// not archived. `version` defaults to the newest.
pub(crate) fn assignable(
    conn: &mut DbConnection,
    me: &Therapist,
    id: TemplateId,
    version: Option<i32>,
) -> DomainResult<Template> {
    let template = get(conn, me, id, version)?;
    if template.archived_at.is_some() {
        return Err(DomainError::Conflict {
            code: "template_archived",
            detail: "This template is archived; copy it or pick another.".into(),
        });
    }
    Ok(template)
}

/// A starter template as shipped.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipped {
    id: TemplateId,
    version: i32,
    title: String,
    purpose: String,
    instructions: String,
    duration_minutes: Option<i32>,
    category: Category,
    fields: Vec<FieldSpec>,
}

const STARTER: &str = include_str!("starter.json");

/// The starter library as shipped, each template checked like any other.
pub fn starter_library() -> DomainResult<Vec<(TemplateId, i32, Content)>> {
    let shipped: Vec<Shipped> = serde_json::from_str(STARTER)
        .map_err(|e| DomainError::Internal(format!("the starter library does not parse: {e}")))?;
    shipped
        .into_iter()
        .map(|s| {
            let content = Content::parse(ContentParts {
                title: Some(s.title),
                purpose: Some(s.purpose),
                instructions: Some(s.instructions),
                duration_minutes: Some(s.duration_minutes),
                category: Some(s.category),
                fields: Some(s.fields),
            })
            .map_err(|errors| {
                DomainError::Internal(format!("starter template {} is invalid: {errors:?}", s.id))
            })?;
            Ok((s.id, s.version, content))
        })
        .collect()
}

/// Puts the starter library into the database: templates and versions
/// not there yet are added (a newer shipped version becomes current), none
/// is changed. Safe to run on every start, by several instances at once.
pub fn install_starter(conn: &mut DbConnection) -> DomainResult<usize> {
    let library = starter_library()?;
    conn.write_transaction(|conn| {
        let mut added = 0;
        for (id, version, content) in &library {
            let now = Timestamp::now();
            let exists = exercise_templates::table
                .find(*id)
                .select(exercise_templates::current_version)
                .first::<i32>(conn)
                .optional()?;
            match exists {
                None => {
                    let inserted = crate::on_backend!(conn, c => diesel::insert_into(exercise_templates::table)
                        .values((
                            exercise_templates::id.eq(*id),
                            exercise_templates::owner_id.eq(None::<UserId>),
                            exercise_templates::current_version.eq(*version),
                            exercise_templates::created_at.eq(now),
                            exercise_templates::updated_at.eq(now),
                        ))
                        .on_conflict_do_nothing()
                        .execute(c))?;
                    if inserted == 1 {
                        insert_version(conn, *id, *version, content, now)?;
                        added += 1;
                    }
                }
                Some(current) if current < *version => {
                    insert_version(conn, *id, *version, content, now)?;
                    diesel::update(exercise_templates::table.find(*id))
                        .set((
                            exercise_templates::current_version.eq(*version),
                            exercise_templates::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    added += 1;
                }
                Some(_) => {}
            }
        }
        Ok::<_, DomainError>(added)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_starter_template_passes_its_own_checks_and_has_a_unique_id() {
        let library = starter_library().unwrap();
        assert_eq!(library.len(), 12);
        let ids: std::collections::HashSet<_> = library.iter().map(|(id, _, _)| *id).collect();
        assert_eq!(ids.len(), library.len());
        let titles: Vec<&str> = library.iter().map(|(_, _, c)| c.title.as_str()).collect();
        assert!(titles.contains(&"Thought record") && titles.contains(&"5-4-3-2-1 grounding"));
    }
}
