//! The therapist's library of exercise templates, and the starter library.

mod delete_template;
mod get_template;
mod get_templates;
mod patch_template;
mod post_template;
mod post_template_copy;

use domain::exercises::fields::FieldSpec;
use domain::exercises::templates::{Category, Source, Template};
use domain::ids::TemplateId;
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub const TAG: &str = "exercises";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_templates::get_templates)
        .service(post_template::post_template)
        .service(get_template::get_template)
        .service(patch_template::patch_template)
        .service(delete_template::delete_template)
        .service(post_template_copy::post_template_copy);
}

/// One version of an exercise template.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    pub id: TemplateId,
    /// `starter`: the library that ships with the service (read-only);
    /// `mine`: your own.
    pub source: Source,
    /// The template this one was copied from.
    pub copied_from: Option<TemplateId>,
    /// The version shown.
    #[schema(minimum = 1, example = 1)]
    pub version: i32,
    /// The newest version: what a new assignment gets.
    #[schema(minimum = 1, example = 1)]
    pub current_version: i32,
    #[schema(example = "Three good things")]
    pub title: String,
    #[schema(example = "Train your attention to notice what went well.")]
    pub purpose: String,
    /// Plain text or Markdown; the front end renders it.
    pub instructions: String,
    /// About how long it takes, in minutes.
    #[schema(minimum = 1, maximum = 480)]
    pub duration_minutes: Option<i32>,
    pub category: Category,
    /// The fields the client answers, in order.
    pub fields: Vec<FieldSpec>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Archived templates are not listed and cannot be assigned again.
    pub archived_at: Option<Timestamp>,
}

impl From<Template> for TemplateView {
    fn from(t: Template) -> Self {
        Self {
            id: t.id,
            source: t.source,
            copied_from: t.copied_from,
            version: t.version,
            current_version: t.current_version,
            title: t.content.title,
            purpose: t.content.purpose,
            instructions: t.content.instructions,
            duration_minutes: t.content.duration_minutes,
            category: t.content.category,
            fields: t.content.fields.into_inner(),
            created_at: t.created_at,
            updated_at: t.updated_at,
            archived_at: t.archived_at,
        }
    }
}
