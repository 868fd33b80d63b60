//! The tables, written once for both backends with the portable SQL types of
//! [`super::sql`].

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    outbox (id) {
        id -> Id,
        dedupe_key -> Text,
        kind -> Text,
        recipient -> Text,
        payload -> Text,
        state -> Text,
        run_at -> Instant,
        attempts -> Integer,
        max_attempts -> Integer,
        last_error -> Nullable<Text>,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Instant>,
        created_at -> Instant,
        updated_at -> Instant,
        sent_at -> Nullable<Instant>,
        superseded_at -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    /// The columns of `outbox` that reminders read by topic (the table has
    /// more columns than one diesel table may name; `topic` is only here).
    #[sql_name = "outbox"]
    outbox_topics (id) {
        id -> Id,
        dedupe_key -> Text,
        state -> Text,
        run_at -> Instant,
        attempts -> Integer,
        superseded_at -> Nullable<Instant>,
        topic -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    users (id) {
        id -> Id,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        time_zone -> Text,
        day_starts_at -> Integer,
        email_verified_at -> Nullable<Instant>,
        disabled_at -> Nullable<Instant>,
        created_at -> Instant,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::Nullable;
    use crate::db::sql::{Id, Instant};

    care_links (id) {
        id -> Id,
        therapist_id -> Id,
        client_id -> Id,
        started_at -> Instant,
        ended_at -> Nullable<Instant>,
        ended_by -> Nullable<Id>,
    }
}

diesel::table! {
    use diesel::sql_types::{Nullable, Text};
    use crate::db::sql::{Id, Instant};

    invitations (id) {
        id -> Id,
        therapist_id -> Id,
        email -> Text,
        token_hash -> Text,
        created_at -> Instant,
        expires_at -> Instant,
        accepted_at -> Nullable<Instant>,
        revoked_at -> Nullable<Instant>,
        client_id -> Nullable<Id>,
    }
}

diesel::table! {
    use diesel::sql_types::{Nullable, Text};
    use crate::db::sql::{Id, Instant};

    email_tokens (id) {
        id -> Id,
        user_id -> Id,
        purpose -> Text,
        token_hash -> Text,
        created_at -> Instant,
        expires_at -> Instant,
        used_at -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::{Nullable, Text};
    use crate::db::sql::{Id, Instant};

    sessions (id) {
        id -> Id,
        user_id -> Id,
        created_at -> Instant,
        last_used_at -> Instant,
        expires_at -> Instant,
        revoked_at -> Nullable<Instant>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::{Nullable, Text};
    use crate::db::sql::{Id, Instant};

    refresh_tokens (id) {
        id -> Id,
        session_id -> Id,
        token_hash -> Text,
        created_at -> Instant,
        rotated_at -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::{Nullable, Text};
    use crate::db::sql::{Id, Instant};

    access_log (id) {
        id -> Id,
        client_id -> Id,
        actor_id -> Nullable<Id>,
        actor_role -> Text,
        resource -> Text,
        resource_id -> Nullable<Id>,
        action -> Text,
        request_id -> Nullable<Text>,
        at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::{Nullable, Text};
    use crate::db::sql::{Id, Instant};

    security_events (id) {
        id -> Id,
        kind -> Text,
        user_id -> Nullable<Id>,
        ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
        detail -> Nullable<Text>,
        at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    journal_entries (id) {
        id -> Id,
        client_id -> Id,
        kind -> Text,
        title -> Nullable<Text>,
        body -> Text,
        mood -> Nullable<Integer>,
        tags -> Text,
        assignment_id -> Nullable<Id>,
        created_at -> Instant,
        updated_at -> Instant,
        version -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::Text;
    use crate::db::sql::Id;

    journal_entry_tags (entry_id, tag) {
        entry_id -> Id,
        tag -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::Nullable;
    use crate::db::sql::{Id, Instant};

    journal_shares (id) {
        id -> Id,
        entry_id -> Id,
        client_id -> Id,
        therapist_id -> Id,
        shared_at -> Instant,
        expires_at -> Nullable<Instant>,
        revoked_at -> Nullable<Instant>,
        read_at -> Nullable<Instant>,
        discussed_at -> Nullable<Instant>,
        link_id -> Id,
    }
}

diesel::table! {
    use diesel::sql_types::{Nullable, Text};
    use crate::db::sql::{Id, Instant};

    journal_replies (id) {
        id -> Id,
        entry_id -> Id,
        therapist_id -> Nullable<Id>,
        body -> Text,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    idempotency_keys (user_id, key) {
        user_id -> Id,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Instant,
        resource_id -> Nullable<Id>,
    }
}

diesel::joinable!(journal_entry_tags -> journal_entries (entry_id));
diesel::joinable!(journal_shares -> journal_entries (entry_id));
diesel::joinable!(journal_shares -> care_links (link_id));
diesel::joinable!(journal_replies -> journal_entries (entry_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(email_tokens -> users (user_id));
diesel::joinable!(invitations -> users (therapist_id));
diesel::table! {
    use diesel::sql_types::{Integer, Text};
    use crate::db::sql::Instant;

    rate_limits (bucket, key) {
        bucket -> Text,
        key -> Text,
        window_start -> Instant,
        hits -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::{Integer, Nullable};
    use crate::db::sql::{Id, Instant};

    exercise_templates (id) {
        id -> Id,
        owner_id -> Nullable<Id>,
        copied_from -> Nullable<Id>,
        current_version -> Integer,
        created_at -> Instant,
        updated_at -> Instant,
        archived_at -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    exercise_template_versions (template_id, version) {
        template_id -> Id,
        version -> Integer,
        title -> Text,
        purpose -> Text,
        instructions -> Text,
        duration_minutes -> Nullable<Integer>,
        category -> Text,
        fields -> Text,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    assignments (id) {
        id -> Id,
        therapist_id -> Id,
        client_id -> Id,
        link_id -> Id,
        template_id -> Id,
        template_version -> Integer,
        instructions -> Text,
        status -> Text,
        created_at -> Instant,
        updated_at -> Instant,
        ended_at -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::{Bool, Date, Text};
    use crate::db::sql::{Id, Instant};

    assignment_schedules (id) {
        id -> Id,
        assignment_id -> Id,
        effective_from -> Date,
        schedule -> Text,
        paused -> Bool,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::{Bool, Date, Integer, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    exercise_responses (id) {
        id -> Id,
        assignment_id -> Id,
        client_id -> Id,
        occurrence_on -> Date,
        template_version -> Integer,
        answers -> Text,
        helpfulness -> Nullable<Integer>,
        note -> Nullable<Text>,
        private -> Bool,
        on_time -> Bool,
        submitted_at -> Instant,
        read_at -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::Text;
    use crate::db::sql::{Id, Instant};

    exercise_drafts (assignment_id) {
        assignment_id -> Id,
        client_id -> Id,
        answers -> Text,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::{Nullable, Text};
    use crate::db::sql::{Id, Instant};

    exercise_comments (id) {
        id -> Id,
        response_id -> Id,
        therapist_id -> Nullable<Id>,
        body -> Text,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::{Date, Double, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    habits (id) {
        id -> Id,
        client_id -> Id,
        name -> Text,
        description -> Nullable<Text>,
        color -> Nullable<Text>,
        icon -> Nullable<Text>,
        measure -> Text,
        unit -> Nullable<Text>,
        target -> Nullable<Double>,
        frequency -> Text,
        reminder_time -> Nullable<Text>,
        created_on -> Date,
        starts_on -> Date,
        created_at -> Instant,
        updated_at -> Instant,
        archived_at -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::{Date, Double, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    habit_check_ins (habit_id, on_date) {
        habit_id -> Id,
        on_date -> Date,
        status -> Text,
        amount -> Nullable<Double>,
        note -> Nullable<Text>,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::{Date, Text};
    use crate::db::sql::Id;

    habit_checkpoints (habit_id, through) {
        habit_id -> Id,
        through -> Date,
        state -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::{Nullable, Text};
    use crate::db::sql::{Id, Instant};

    habit_suggestions (id) {
        id -> Id,
        therapist_id -> Id,
        client_id -> Id,
        link_id -> Id,
        definition -> Text,
        note -> Nullable<Text>,
        status -> Text,
        habit_id -> Nullable<Id>,
        created_at -> Instant,
        decided_at -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::{Date, Double, Integer, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    daily_check_ins (client_id, on_date) {
        client_id -> Id,
        on_date -> Date,
        mood -> Nullable<Integer>,
        energy -> Nullable<Integer>,
        sleep_hours -> Nullable<Double>,
        tags -> Text,
        note -> Nullable<Text>,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::Nullable;
    use crate::db::sql::{Id, Instant};

    tracking_shares (id) {
        id -> Id,
        client_id -> Id,
        habit_id -> Nullable<Id>,
        therapist_id -> Id,
        link_id -> Id,
        shared_at -> Instant,
        expires_at -> Nullable<Instant>,
        revoked_at -> Nullable<Instant>,
        read_at -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::{Bool, Integer, Text};
    use crate::db::sql::{Id, Instant};

    therapist_profiles (therapist_id) {
        therapist_id -> Id,
        slug -> Text,
        display_name -> Text,
        bio -> Text,
        offers_consultations -> Bool,
        duration_minutes -> Integer,
        interval_minutes -> Integer,
        buffer_before_minutes -> Integer,
        buffer_after_minutes -> Integer,
        notice_minutes -> Integer,
        horizon_days -> Integer,
        daily_cap -> Integer,
        cutoff_minutes -> Integer,
        weekly -> Text,
        created_at -> Instant,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::{Date, Text};
    use crate::db::sql::Id;

    availability_overrides (therapist_id, on_date) {
        therapist_id -> Id,
        on_date -> Date,
        ranges -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    consultations (id) {
        id -> Id,
        therapist_id -> Id,
        starts_at -> Instant,
        ends_at -> Instant,
        blocked_from -> Instant,
        blocked_until -> Instant,
        status -> Text,
        hold_expires_at -> Nullable<Instant>,
        name -> Text,
        email -> Text,
        time_zone -> Text,
        note -> Nullable<Text>,
        token_hash -> Nullable<Text>,
        sequence -> Integer,
        created_at -> Instant,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::Text;
    use crate::db::sql::{Id, Instant};

    notification_preferences (user_id) {
        user_id -> Id,
        settings -> Text,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::Text;
    use crate::db::sql::Instant;

    mail_opt_outs (address, kind) {
        address -> Text,
        kind -> Text,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::{Integer, Text};
    use crate::db::sql::{Id, Instant};

    consultation_links (token_hash) {
        token_hash -> Text,
        consultation_id -> Id,
        sequence -> Integer,
        created_at -> Instant,
    }
}

diesel::joinable!(consultation_links -> consultations (consultation_id));
diesel::joinable!(notification_preferences -> users (user_id));
diesel::joinable!(exercise_template_versions -> exercise_templates (template_id));
diesel::joinable!(assignments -> care_links (link_id));
diesel::joinable!(assignment_schedules -> assignments (assignment_id));
diesel::joinable!(exercise_responses -> assignments (assignment_id));
diesel::joinable!(exercise_drafts -> assignments (assignment_id));
diesel::joinable!(exercise_comments -> exercise_responses (response_id));
diesel::joinable!(habit_check_ins -> habits (habit_id));
diesel::joinable!(habit_checkpoints -> habits (habit_id));
diesel::joinable!(habit_suggestions -> care_links (link_id));
diesel::joinable!(tracking_shares -> care_links (link_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    care_links,
    invitations,
    email_tokens,
    sessions,
    refresh_tokens,
    access_log,
    security_events,
    journal_entries,
    journal_entry_tags,
    journal_shares,
    journal_replies,
    idempotency_keys,
    outbox,
    exercise_templates,
    exercise_template_versions,
    assignments,
    assignment_schedules,
    exercise_responses,
    exercise_drafts,
    exercise_comments,
    habits,
    habit_check_ins,
    habit_checkpoints,
    habit_suggestions,
    daily_check_ins,
    tracking_shares,
    therapist_profiles,
    availability_overrides,
    consultations,
    notification_preferences,
    mail_opt_outs,
    consultation_links,
);
