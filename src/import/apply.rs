//! Applying parsed DDL to the schema model, the way PostgreSQL would: implied NOT NULL of
//! primary keys, serial and identity columns, generated constraint and index names, columns
//! dropped with the indexes and constraints that use them.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

use sqlparser::ast::{
    AlterColumnOperation, AlterIndexOperation, AlterTable, AlterTableOperation,
    AlterTypeAddValuePosition, AlterTypeOperation, ColumnDef, ColumnOption, CommentObject,
    CreateIndex, CreateTable, CreateView, DataType, Expr, GeneratedAs, Ident, IndexType,
    ObjectName, ObjectType, OrderByExpr, OrderBySort, ReferentialAction, RenameTableNameKind,
    SelectItem, SetExpr, Statement, TableConstraint, UserDefinedTypeRepresentation,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::TokenWithSpan;

use super::names;
use super::split::RawStatement;
use super::{Imported, Note, NoteKind};
use crate::model::{
    CheckConstraint, Column, EnumType, FkAction, ForeignKey, Identity, Index, IndexColumn,
    PrimaryKey, QualName, Schema, Table, UniqueConstraint, View,
};
use crate::normalize::types::normalize_type;

/// What one statement did.
pub(super) enum Outcome {
    Applied,
    /// Changes nothing a contract declares; the kind of statement, for the summary.
    Ignored(String),
    /// Not understood; why.
    Skipped(String),
}

pub(super) struct Builder {
    pub(super) schema: Schema,
    pub(super) search_path: String,
    /// Relation names per schema (tables, views, indexes, sequences): generated names avoid them.
    relations: BTreeMap<String, BTreeSet<String>>,
    /// Constraint names per schema, for the same reason.
    constraints: BTreeMap<String, BTreeSet<String>>,
    notes: Vec<Note>,
    applied: usize,
}

/// An identifier as PostgreSQL stores it: unquoted names fold to lower case.
pub(super) fn ident(i: &Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

pub(super) fn parse_tokens(tokens: Vec<TokenWithSpan>) -> Result<Vec<Statement>, String> {
    Parser::new(&PostgreSqlDialect {})
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| e.to_string())
}

/// Column names an expression reads (unqualified or the last part of a qualified name).
fn referenced_columns(e: &Expr) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let _ = sqlparser::ast::visit_expressions(e, |x| {
        match x {
            Expr::Identifier(i) => {
                out.insert(ident(i));
            }
            Expr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last() {
                    out.insert(ident(last));
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    out
}

fn parse_expr(text: &str) -> Option<Expr> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .ok()?
        .parse_expr()
        .ok()
}

fn expr_mentions(text: &str, column: &str) -> bool {
    parse_expr(text).is_some_and(|e| referenced_columns(&e).contains(column))
}

/// `text` with the column `old` renamed to `new` wherever the expression names it.
fn rename_in_expr(text: &str, old: &str, new: &str) -> String {
    let Some(mut e) = parse_expr(text) else {
        return text.to_string();
    };
    let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
        match x {
            Expr::Identifier(i) if ident(i) == old => *i = Ident::with_quote('"', new),
            Expr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last_mut().filter(|l| ident(l) == old) {
                    *last = Ident::with_quote('"', new);
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    e.to_string()
}

fn fk_action(a: &Option<ReferentialAction>) -> FkAction {
    match a {
        Some(ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ReferentialAction::Restrict) => FkAction::Restrict,
        Some(ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ReferentialAction::SetDefault) => FkAction::SetDefault,
        Some(ReferentialAction::NoAction) | None => FkAction::NoAction,
    }
}

fn index_method(t: &Option<IndexType>) -> String {
    match t {
        None | Some(IndexType::BTree) => "btree".into(),
        Some(IndexType::Hash) => "hash".into(),
        Some(IndexType::GIN) => "gin".into(),
        Some(IndexType::GiST) => "gist".into(),
        Some(IndexType::SPGiST) => "spgist".into(),
        Some(IndexType::BRIN) => "brin".into(),
        Some(IndexType::Bloom) => "bloom".into(),
        Some(IndexType::Custom(i)) => ident(i),
    }
}

/// A plain column name, when the expression is one.
fn column_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(ident(i)),
        Expr::Nested(inner) => column_name(inner),
        _ => None,
    }
}

fn index_column(o: &OrderByExpr, opclass: Option<&ObjectName>) -> IndexColumn {
    IndexColumn {
        expr: column_name(&o.expr).unwrap_or_else(|| o.expr.to_string()),
        descending: matches!(o.options.sort, Some(OrderBySort::Desc)),
        nulls_first: o.options.nulls_first,
        opclass: opclass
            .and_then(|n| n.0.last())
            .and_then(|p| p.as_ident())
            .map(ident),
    }
}

/// The name PostgreSQL gives an index column in a generated index name.
fn index_column_name(c: &IndexColumn) -> String {
    match parse_expr(&c.expr) {
        Some(Expr::Identifier(_)) => c.expr.clone(),
        Some(Expr::Function(f)) => f
            .name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(ident)
            .unwrap_or_else(|| "expr".into()),
        _ => "expr".into(),
    }
}

/// Type as `format_type` prints it, and whether it was a serial shorthand.
fn column_type(t: &DataType) -> (String, bool) {
    let written = t.to_string();
    match normalize_type(&written) {
        Ok(n) => (n.name, n.serial.is_some()),
        Err(_) => (written.to_lowercase(), false),
    }
}

impl Builder {
    pub(super) fn new(default_schema: &str) -> Self {
        Self {
            schema: Schema::default(),
            search_path: default_schema.to_string(),
            relations: BTreeMap::new(),
            constraints: BTreeMap::new(),
            notes: Vec::new(),
            applied: 0,
        }
    }

    pub(super) fn reset_search_path(&mut self, schema: &str) {
        self.search_path = schema.to_string();
    }

    pub(super) fn finish(self) -> Imported {
        Imported {
            schema: self.schema,
            notes: self.notes,
            applied: self.applied,
        }
    }

    pub(super) fn qual(&self, n: &ObjectName) -> QualName {
        let parts: Vec<String> = n.0.iter().filter_map(|p| p.as_ident()).map(ident).collect();
        match parts.as_slice() {
            [name] => QualName::new(self.search_path.clone(), name.clone()),
            [.., schema, name] => QualName::new(schema.clone(), name.clone()),
            [] => QualName::new(self.search_path.clone(), String::new()),
        }
    }

    pub(super) fn table_mut(&mut self, q: &QualName) -> Result<&mut Table, String> {
        self.schema
            .tables
            .get_mut(q)
            .ok_or_else(|| format!("table {q} is not created by an earlier statement"))
    }

    pub(super) fn take_relation(&mut self, schema: &str, name: &str) {
        self.relations
            .entry(schema.to_string())
            .or_default()
            .insert(name.to_string());
    }

    fn free_relation(&mut self, schema: &str, name: &str) {
        if let Some(s) = self.relations.get_mut(schema) {
            s.remove(name);
        }
    }

    pub(super) fn choose_relation(
        &mut self,
        schema: &str,
        n1: &str,
        n2: Option<&str>,
        label: &str,
    ) -> String {
        choose_in(&mut self.relations, schema, n1, n2, label)
    }

    fn choose_constraint(
        &mut self,
        schema: &str,
        n1: &str,
        n2: Option<&str>,
        label: &str,
    ) -> String {
        choose_in(&mut self.constraints, schema, n1, n2, label)
    }

    fn take_constraint(&mut self, schema: &str, name: &str) {
        self.constraints
            .entry(schema.to_string())
            .or_default()
            .insert(name.to_string());
    }

    pub(super) fn statement(&mut self, file: &str, raw: &RawStatement) {
        let outcome = match super::timescale::targeted(self, raw) {
            Some(outcome) => outcome,
            None => match parse_tokens(raw.tokens.clone()) {
                Ok(statements) => {
                    let mut last = Outcome::Ignored("empty".into());
                    for st in &statements {
                        last = self.apply(st);
                        if matches!(last, Outcome::Skipped(_)) {
                            break;
                        }
                    }
                    last
                }
                Err(e) => Outcome::Skipped(format!("sqlparser cannot read it: {e}")),
            },
        };
        let (kind, reason) = match outcome {
            Outcome::Applied => {
                self.applied += 1;
                return;
            }
            Outcome::Ignored(what) => (NoteKind::Ignored, what),
            Outcome::Skipped(why) => (NoteKind::Skipped, why),
        };
        self.notes.push(Note {
            file: file.to_string(),
            line: raw.line,
            column: raw.column,
            kind,
            statement: raw.head(6),
            reason,
        });
    }

    pub(super) fn apply(&mut self, st: &Statement) -> Outcome {
        let result = match st {
            Statement::CreateTable(ct) => self.create_table(ct),
            Statement::AlterTable(at) => self.alter_table(at),
            Statement::CreateIndex(ci) => self.create_index(ci),
            Statement::CreateView(cv) => self.create_view(cv),
            Statement::CreateType {
                name,
                representation,
            } => match representation {
                Some(UserDefinedTypeRepresentation::Enum { labels }) => {
                    let q = self.qual(name);
                    self.schema.enums.insert(
                        q.clone(),
                        EnumType {
                            name: q,
                            values: labels.iter().map(|l| l.value.clone()).collect(),
                            loc: None,
                        },
                    );
                    Ok(())
                }
                _ => return Outcome::Ignored("CREATE TYPE (not an enum)".into()),
            },
            Statement::AlterType(at) => self.alter_type(&at.name, &at.operation),
            Statement::Drop {
                object_type,
                names,
                if_exists,
                ..
            } => self.drop(*object_type, names, *if_exists),
            Statement::AlterIndex {
                name,
                operation: AlterIndexOperation::RenameIndex { index_name },
            } => self.rename_index(name, index_name),
            Statement::Comment {
                object_type,
                object_name,
                comment,
                ..
            } => self.comment(object_type, object_name, comment),
            Statement::Query(q) => return super::timescale::calls_in_query(self, q),
            Statement::Call(f) => return super::timescale::call(self, f),
            Statement::Set(set) => return self.set(set),
            Statement::CreateSchema { .. } => return Outcome::Ignored("CREATE SCHEMA".into()),
            other => return Outcome::Ignored(statement_kind(other)),
        };
        match result {
            Ok(()) => Outcome::Applied,
            Err(why) => Outcome::Skipped(why),
        }
    }

    fn set(&mut self, set: &sqlparser::ast::Set) -> Outcome {
        use sqlparser::ast::Set;
        if let Set::SingleAssignment {
            variable, values, ..
        } = set
            && variable.to_string().eq_ignore_ascii_case("search_path")
        {
            let first = values.first().map(|v| match v {
                Expr::Identifier(i) => ident(i),
                Expr::Value(v) => match &v.value {
                    sqlparser::ast::Value::SingleQuotedString(s) => {
                        s.split(',').next().unwrap_or("").trim().to_string()
                    }
                    other => other.to_string(),
                },
                other => other.to_string(),
            });
            if let Some(s) = first.filter(|s| !s.is_empty() && s != "\"$user\"") {
                self.search_path = s;
                return Outcome::Applied;
            }
        }
        Outcome::Ignored("SET".into())
    }

    // ----------------------------------------------------------------- tables

    fn column(&self, def: &ColumnDef) -> (Column, Vec<TableConstraint>) {
        let (data_type, serial) = column_type(&def.data_type);
        let mut c = Column {
            name: ident(&def.name),
            data_type,
            serial,
            nullable: !serial,
            ..Default::default()
        };
        let mut constraints = Vec::new();
        for opt in &def.options {
            match &opt.option {
                ColumnOption::NotNull => c.nullable = false,
                ColumnOption::Null => c.nullable = true,
                ColumnOption::Default(e) => c.default = Some(e.to_string()),
                ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    ..
                } => match generation_expr {
                    Some(e) => c.generated = Some(e.to_string()),
                    None => {
                        c.identity = Some(match generated_as {
                            GeneratedAs::ByDefault => Identity::ByDefault,
                            _ => Identity::Always,
                        });
                        c.nullable = false;
                    }
                },
                ColumnOption::Comment(s) => c.comment = Some(s.clone()),
                ColumnOption::PrimaryKey(pk) => {
                    let mut pk = pk.clone();
                    pk.name = pk.name.or_else(|| opt.name.clone());
                    pk.columns = vec![def.name.clone().into()];
                    constraints.push(TableConstraint::PrimaryKey(pk));
                }
                ColumnOption::Unique(u) => {
                    let mut u = u.clone();
                    u.name = u.name.or_else(|| opt.name.clone());
                    u.columns = vec![def.name.clone().into()];
                    constraints.push(TableConstraint::Unique(u));
                }
                ColumnOption::ForeignKey(fk) => {
                    let mut fk = fk.clone();
                    fk.name = fk.name.or_else(|| opt.name.clone());
                    fk.columns = vec![def.name.clone()];
                    constraints.push(TableConstraint::ForeignKey(fk));
                }
                ColumnOption::Check(ck) => {
                    let mut ck = ck.clone();
                    ck.name = ck.name.or_else(|| opt.name.clone());
                    constraints.push(TableConstraint::Check(ck));
                }
                _ => {}
            }
        }
        (c, constraints)
    }

    pub(super) fn create_table(&mut self, ct: &CreateTable) -> Result<(), String> {
        if ct.query.is_some() || ct.like.is_some() || ct.clone.is_some() {
            return Err(
                "CREATE TABLE ... AS / LIKE / CLONE: the columns come from another \
                        object; declare this table by hand"
                    .into(),
            );
        }
        if ct.temporary {
            return Ok(());
        }
        let q = self.qual(&ct.name);
        if self.schema.tables.contains_key(&q) {
            if ct.if_not_exists {
                return Ok(());
            }
            return Err(format!("table {q} already exists"));
        }
        self.take_relation(&q.schema, &q.name);
        let mut table = Table {
            name: q.clone(),
            ..Default::default()
        };
        let mut constraints = Vec::new();
        for def in &ct.columns {
            let (c, cs) = self.column(def);
            if c.serial {
                self.choose_relation(&q.schema, &q.name, Some(&c.name), "seq");
            }
            table.columns.push(c);
            constraints.extend(cs);
        }
        if let Some(c) = &ct.comment {
            table.comment = Some(c.to_string());
        }
        self.schema.tables.insert(q.clone(), table);
        constraints.extend(ct.constraints.iter().cloned());
        for c in &constraints {
            self.add_constraint(&q, c)?;
        }
        Ok(())
    }

    fn add_constraint(&mut self, q: &QualName, c: &TableConstraint) -> Result<(), String> {
        let cols = |list: &[sqlparser::ast::IndexColumn]| -> Vec<String> {
            list.iter()
                .map(|c| column_name(&c.column.expr).unwrap_or_else(|| c.column.expr.to_string()))
                .collect()
        };
        match c {
            TableConstraint::PrimaryKey(pk) => {
                let columns = cols(&pk.columns);
                let name = match &pk.name {
                    Some(n) => {
                        let n = ident(n);
                        self.take_relation(&q.schema, &n);
                        n
                    }
                    None => self.choose_relation(&q.schema, &q.name, None, "pkey"),
                };
                self.take_constraint(&q.schema, &name);
                let t = self.table_mut(q)?;
                for col in &columns {
                    if let Some(c) = t.columns.iter_mut().find(|c| &c.name == col) {
                        c.nullable = false;
                    }
                }
                t.primary_key = Some(PrimaryKey {
                    name: Some(name),
                    columns,
                    loc: None,
                });
            }
            TableConstraint::Unique(u) => {
                let columns = cols(&u.columns);
                let name = match &u.name {
                    Some(n) => {
                        let n = ident(n);
                        self.take_relation(&q.schema, &n);
                        n
                    }
                    None => {
                        let joined = names::join_columns(&columns);
                        self.choose_relation(&q.schema, &q.name, Some(&joined), "key")
                    }
                };
                self.take_constraint(&q.schema, &name);
                self.table_mut(q)?.uniques.push(UniqueConstraint {
                    name: Some(name),
                    columns,
                    loc: None,
                });
            }
            TableConstraint::ForeignKey(fk) => {
                let columns: Vec<String> = fk.columns.iter().map(ident).collect();
                let ref_table = self.qual(&fk.foreign_table);
                let mut ref_columns: Vec<String> = fk.referred_columns.iter().map(ident).collect();
                if ref_columns.is_empty() {
                    ref_columns = self
                        .schema
                        .tables
                        .get(&ref_table)
                        .and_then(|t| t.primary_key.as_ref())
                        .map(|pk| pk.columns.clone())
                        .ok_or_else(|| {
                            format!(
                                "REFERENCES {ref_table} without columns, and {ref_table} has no \
                                 primary key declared earlier"
                            )
                        })?;
                }
                let name = match &fk.name {
                    Some(n) => ident(n),
                    None => {
                        let joined = names::join_columns(&columns);
                        self.choose_constraint(&q.schema, &q.name, Some(&joined), "fkey")
                    }
                };
                self.take_constraint(&q.schema, &name);
                self.table_mut(q)?.foreign_keys.push(ForeignKey {
                    name: Some(name),
                    columns,
                    ref_table,
                    ref_columns,
                    on_delete: fk_action(&fk.on_delete),
                    on_update: fk_action(&fk.on_update),
                    loc: None,
                });
            }
            TableConstraint::Check(ck) => {
                let name = match &ck.name {
                    Some(n) => ident(n),
                    None => {
                        let t = self.table_mut(q)?;
                        let refs: Vec<String> = referenced_columns(&ck.expr)
                            .into_iter()
                            .filter(|c| t.column(c).is_some())
                            .collect();
                        let col = (refs.len() == 1).then(|| refs[0].clone());
                        self.choose_constraint(&q.schema, &q.name, col.as_deref(), "check")
                    }
                };
                self.take_constraint(&q.schema, &name);
                self.table_mut(q)?.checks.push(CheckConstraint {
                    name: Some(name),
                    expr: ck.expr.to_string(),
                    loc: None,
                });
            }
            other => {
                return Err(format!(
                    "constraint `{other}` is not one a contract declares (primary key, unique, \
                     foreign key, check)"
                ));
            }
        }
        Ok(())
    }

    fn alter_table(&mut self, at: &AlterTable) -> Result<(), String> {
        let q = self.qual(&at.name);
        if !self.schema.tables.contains_key(&q) {
            if at.if_exists {
                return Ok(());
            }
            return Err(format!("table {q} is not created by an earlier statement"));
        }
        for op in &at.operations {
            self.alter_op(&q, op)?;
        }
        Ok(())
    }

    fn alter_op(&mut self, q: &QualName, op: &AlterTableOperation) -> Result<(), String> {
        match op {
            AlterTableOperation::AddColumn {
                column_def,
                if_not_exists,
                ..
            } => {
                let (c, cs) = self.column(column_def);
                let t = self.table_mut(q)?;
                if t.column(&c.name).is_some() {
                    if *if_not_exists {
                        return Ok(());
                    }
                    return Err(format!("column {} already exists", q.child(&c.name)));
                }
                let serial = c.serial.then(|| c.name.clone());
                t.columns.push(c);
                if let Some(col) = serial {
                    self.choose_relation(&q.schema, &q.name, Some(&col), "seq");
                }
                for c in &cs {
                    self.add_constraint(q, c)?;
                }
            }
            AlterTableOperation::AddConstraint { constraint, .. } => {
                self.add_constraint(q, constraint)?;
            }
            AlterTableOperation::DropColumn {
                column_names,
                if_exists,
                ..
            } => {
                for name in column_names {
                    self.drop_column(q, &ident(name), *if_exists)?;
                }
            }
            AlterTableOperation::DropConstraint {
                name, if_exists, ..
            } => {
                let name = ident(name);
                let t = self.table_mut(q)?;
                let some = |n: &Option<String>| n.as_deref() == Some(name.as_str());
                let before = t.uniques.len() + t.checks.len() + t.foreign_keys.len();
                t.uniques.retain(|u| !some(&u.name));
                t.checks.retain(|c| !some(&c.name));
                t.foreign_keys.retain(|f| !some(&f.name));
                let mut dropped = before != t.uniques.len() + t.checks.len() + t.foreign_keys.len();
                if t.primary_key.as_ref().is_some_and(|pk| some(&pk.name)) {
                    t.primary_key = None;
                    dropped = true;
                }
                if !dropped && !*if_exists {
                    return Err(format!("constraint {name} of {q} is not declared earlier"));
                }
                if let Some(s) = self.constraints.get_mut(&q.schema) {
                    s.remove(&name);
                }
                self.free_relation(&q.schema, &name);
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => self.rename_column(q, &ident(old_column_name), &ident(new_column_name))?,
            AlterTableOperation::RenameTable { table_name } => {
                let new = match table_name {
                    RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => n,
                };
                let mut new_q = self.qual(new);
                // `RENAME TO` keeps the schema.
                new_q.schema = q.schema.clone();
                self.rename_table(q, &new_q);
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                let (old, new) = (ident(old_name), ident(new_name));
                let t = self.table_mut(q)?;
                let rename = |n: &mut Option<String>| {
                    if n.as_deref() == Some(old.as_str()) {
                        *n = Some(new.clone());
                    }
                };
                t.uniques.iter_mut().for_each(|u| rename(&mut u.name));
                t.checks.iter_mut().for_each(|c| rename(&mut c.name));
                t.foreign_keys.iter_mut().for_each(|f| rename(&mut f.name));
                if let Some(pk) = t.primary_key.as_mut() {
                    rename(&mut pk.name);
                }
                self.take_constraint(&q.schema, &new);
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let name = ident(column_name);
                let t = self.table_mut(q)?;
                let c = t
                    .columns
                    .iter_mut()
                    .find(|c| c.name == name)
                    .ok_or_else(|| format!("column {} is not declared earlier", q.child(&name)))?;
                match op {
                    AlterColumnOperation::SetNotNull => c.nullable = false,
                    AlterColumnOperation::DropNotNull => c.nullable = true,
                    AlterColumnOperation::SetDefault { value } => {
                        c.default = Some(value.to_string())
                    }
                    AlterColumnOperation::DropDefault => {
                        c.default = None;
                        c.serial = false;
                    }
                    AlterColumnOperation::SetDataType { data_type, .. } => {
                        let (ty, _) = column_type(data_type);
                        if c.serial && !matches!(ty.as_str(), "integer" | "bigint" | "smallint") {
                            c.serial = false;
                        }
                        c.data_type = ty;
                    }
                    AlterColumnOperation::AddGenerated { generated_as, .. } => {
                        c.identity = Some(match generated_as {
                            Some(GeneratedAs::ByDefault) => Identity::ByDefault,
                            _ => Identity::Always,
                        });
                        c.nullable = false;
                    }
                }
            }
            // Storage, ownership, triggers, row security: nothing a contract declares.
            AlterTableOperation::OwnerTo { .. }
            | AlterTableOperation::EnableTrigger { .. }
            | AlterTableOperation::DisableTrigger { .. }
            | AlterTableOperation::EnableRowLevelSecurity
            | AlterTableOperation::DisableRowLevelSecurity
            | AlterTableOperation::ForceRowLevelSecurity
            | AlterTableOperation::NoForceRowLevelSecurity
            | AlterTableOperation::SetLogged
            | AlterTableOperation::SetUnlogged
            | AlterTableOperation::ReplicaIdentity { .. } => {}
            other => return Err(format!("ALTER TABLE {other} is not supported by import")),
        }
        Ok(())
    }

    fn drop_column(&mut self, q: &QualName, name: &str, if_exists: bool) -> Result<(), String> {
        let t = self.table_mut(q)?;
        if t.column(name).is_none() {
            if if_exists {
                return Ok(());
            }
            return Err(format!("column {} is not declared earlier", q.child(name)));
        }
        let n = name.to_string();
        t.columns.retain(|c| c.name != n);
        // PostgreSQL drops the indexes and constraints that use the column with it.
        let uses = |cols: &[String]| cols.iter().any(|c| c == &n);
        if t.primary_key.as_ref().is_some_and(|pk| uses(&pk.columns)) {
            t.primary_key = None;
        }
        t.uniques.retain(|u| !uses(&u.columns));
        t.foreign_keys.retain(|f| !uses(&f.columns));
        t.checks.retain(|c| !expr_mentions(&c.expr, &n));
        t.indexes.retain(|i| {
            !i.columns
                .iter()
                .any(|c| c.expr == n || expr_mentions(&c.expr, &n))
                && !uses(&i.include)
                && !i.predicate.as_deref().is_some_and(|p| expr_mentions(p, &n))
        });
        Ok(())
    }

    fn rename_column(&mut self, q: &QualName, old: &str, new: &str) -> Result<(), String> {
        let t = self.table_mut(q)?;
        let c = t
            .columns
            .iter_mut()
            .find(|c| c.name == old)
            .ok_or_else(|| format!("column {} is not declared earlier", q.child(old)))?;
        c.name = new.to_string();
        let ren = |v: &mut Vec<String>| {
            for x in v.iter_mut().filter(|x| *x == old) {
                *x = new.to_string();
            }
        };
        if let Some(pk) = t.primary_key.as_mut() {
            ren(&mut pk.columns);
        }
        t.uniques.iter_mut().for_each(|u| ren(&mut u.columns));
        t.foreign_keys.iter_mut().for_each(|f| ren(&mut f.columns));
        for ck in &mut t.checks {
            ck.expr = rename_in_expr(&ck.expr, old, new);
        }
        for c in &mut t.columns {
            if let Some(g) = c.generated.as_mut() {
                *g = rename_in_expr(g, old, new);
            }
        }
        for i in &mut t.indexes {
            for c in &mut i.columns {
                c.expr = if c.expr == old {
                    new.to_string()
                } else {
                    rename_in_expr(&c.expr, old, new)
                };
            }
            ren(&mut i.include);
            if let Some(p) = i.predicate.as_mut() {
                *p = rename_in_expr(p, old, new);
            }
        }
        if let Some(h) = t.hypertable.as_mut() {
            if h.time_column == old {
                h.time_column = new.to_string();
            }
            if let Some(p) = h.partitioning.as_mut().filter(|p| p.column == old) {
                p.column = new.to_string();
            }
            if let Some(c) = h.compression.as_mut() {
                ren(&mut c.segment_by);
                for o in c.order_by.iter_mut().flatten() {
                    if o.column == old {
                        o.column = new.to_string();
                    }
                }
            }
        }
        // Foreign keys of other tables that reference the column.
        let target = q.clone();
        for t in self.schema.tables.values_mut() {
            for fk in t.foreign_keys.iter_mut().filter(|f| f.ref_table == target) {
                ren(&mut fk.ref_columns);
            }
        }
        Ok(())
    }

    fn rename_table(&mut self, old: &QualName, new: &QualName) {
        let Some(mut t) = self.schema.tables.remove(old) else {
            return;
        };
        t.name = new.clone();
        self.free_relation(&old.schema, &old.name);
        self.take_relation(&new.schema, &new.name);
        self.schema.tables.insert(new.clone(), t);
        for t in self.schema.tables.values_mut() {
            for fk in t.foreign_keys.iter_mut().filter(|f| &f.ref_table == old) {
                fk.ref_table = new.clone();
            }
        }
        for c in self.schema.caggs.values_mut() {
            if c.source.as_ref() == Some(old) {
                c.source = Some(new.clone());
            }
        }
    }

    // ---------------------------------------------------------------- indexes

    fn create_index(&mut self, ci: &CreateIndex) -> Result<(), String> {
        let tq = self.qual(&ci.table_name);
        let columns: Vec<IndexColumn> = ci
            .columns
            .iter()
            .map(|c| index_column(&c.column, c.operator_class.as_ref()))
            .collect();
        let include: Vec<String> = ci.include.iter().map(ident).collect();
        let name = match &ci.name {
            Some(n) => {
                let iq = self.qual(n);
                if self
                    .relations
                    .get(&tq.schema)
                    .is_some_and(|r| r.contains(&iq.name))
                {
                    if ci.if_not_exists {
                        return Ok(());
                    }
                    return Err(format!("relation {} already exists", iq.name));
                }
                self.take_relation(&tq.schema, &iq.name);
                iq.name
            }
            None => {
                let mut parts: Vec<String> = columns.iter().map(index_column_name).collect();
                parts.extend(include.iter().cloned());
                let joined = names::join_columns(&parts);
                let label = if ci.unique { "key" } else { "idx" };
                self.choose_relation(&tq.schema, &tq.name, Some(&joined), label)
            }
        };
        let index = Index {
            name,
            method: index_method(&ci.using),
            unique: ci.unique,
            columns,
            include,
            predicate: ci.predicate.as_ref().map(|p| p.to_string()),
            constraint_backed: false,
            loc: None,
        };
        self.table_mut(&tq)?.indexes.push(index);
        Ok(())
    }

    fn rename_index(&mut self, old: &ObjectName, new: &ObjectName) -> Result<(), String> {
        let oq = self.qual(old);
        let new = self.qual(new).name;
        for t in self
            .schema
            .tables
            .values_mut()
            .filter(|t| t.name.schema == oq.schema)
        {
            if let Some(i) = t.indexes.iter_mut().find(|i| i.name == oq.name) {
                i.name = new.clone();
                self.free_relation(&oq.schema, &oq.name);
                self.take_relation(&oq.schema, &new);
                return Ok(());
            }
        }
        Err(format!("index {oq} is not created by an earlier statement"))
    }

    // ----------------------------------------------------------- views, types

    fn create_view(&mut self, cv: &CreateView) -> Result<(), String> {
        let q = self.qual(&cv.name);
        let columns = if cv.columns.is_empty() {
            view_columns(&cv.query)
        } else {
            Some(cv.columns.iter().map(|c| ident(&c.name)).collect())
        };
        self.take_relation(&q.schema, &q.name);
        self.schema.views.insert(
            q.clone(),
            View {
                name: q,
                columns,
                materialized: cv.materialized,
                loc: None,
            },
        );
        Ok(())
    }

    fn alter_type(&mut self, name: &ObjectName, op: &AlterTypeOperation) -> Result<(), String> {
        let q = self.qual(name);
        let e = self
            .schema
            .enums
            .get_mut(&q)
            .ok_or_else(|| format!("enum {q} is not created by an earlier statement"))?;
        match op {
            AlterTypeOperation::AddValue(add) => {
                let v = add.value.value.clone();
                if e.values.contains(&v) {
                    return Ok(());
                }
                match &add.position {
                    Some(AlterTypeAddValuePosition::Before(b)) => {
                        let at = e.values.iter().position(|x| *x == b.value).unwrap_or(0);
                        e.values.insert(at, v);
                    }
                    Some(AlterTypeAddValuePosition::After(a)) => {
                        let at = e
                            .values
                            .iter()
                            .position(|x| *x == a.value)
                            .map(|p| p + 1)
                            .unwrap_or(e.values.len());
                        e.values.insert(at, v);
                    }
                    None => e.values.push(v),
                }
            }
            AlterTypeOperation::RenameValue(r) => {
                for x in e.values.iter_mut().filter(|x| **x == r.from.value) {
                    *x = r.to.value.clone();
                }
            }
            AlterTypeOperation::Rename(r) => {
                let mut new = q.clone();
                new.name = ident(&r.new_name);
                if let Some(mut e) = self.schema.enums.remove(&q) {
                    e.name = new.clone();
                    self.schema.enums.insert(new, e);
                }
            }
        }
        Ok(())
    }

    fn drop(
        &mut self,
        kind: ObjectType,
        names: &[ObjectName],
        if_exists: bool,
    ) -> Result<(), String> {
        for n in names {
            let q = self.qual(n);
            let found = match kind {
                ObjectType::Table => {
                    let t = self.schema.tables.remove(&q);
                    if let Some(t) = &t {
                        for i in &t.indexes {
                            self.free_relation(&q.schema, &i.name);
                        }
                    }
                    t.is_some()
                }
                ObjectType::View => self.schema.views.remove(&q).is_some(),
                ObjectType::MaterializedView => {
                    self.schema.views.remove(&q).is_some() || self.schema.caggs.remove(&q).is_some()
                }
                ObjectType::Type => self.schema.enums.remove(&q).is_some(),
                ObjectType::Index => {
                    let mut found = false;
                    for t in self
                        .schema
                        .tables
                        .values_mut()
                        .filter(|t| t.name.schema == q.schema)
                    {
                        let before = t.indexes.len();
                        t.indexes.retain(|i| i.name != q.name);
                        found |= t.indexes.len() != before;
                    }
                    found
                }
                // Sequences, functions, schemas, roles...: nothing a contract declares.
                _ => true,
            };
            if found {
                self.free_relation(&q.schema, &q.name);
            } else if !if_exists {
                return Err(format!("{q} is not created by an earlier statement"));
            }
        }
        Ok(())
    }

    fn comment(
        &mut self,
        kind: &CommentObject,
        name: &ObjectName,
        comment: &Option<String>,
    ) -> Result<(), String> {
        match kind {
            CommentObject::Table => {
                let q = self.qual(name);
                self.table_mut(&q)?.comment = comment.clone();
            }
            CommentObject::Column => {
                let parts: Vec<String> = name
                    .0
                    .iter()
                    .filter_map(|p| p.as_ident())
                    .map(ident)
                    .collect();
                let (table, col) = match parts.as_slice() {
                    [t, c] => (
                        QualName::new(self.search_path.clone(), t.clone()),
                        c.clone(),
                    ),
                    [s, t, c] => (QualName::new(s.clone(), t.clone()), c.clone()),
                    _ => return Err(format!("COMMENT ON COLUMN {name}: expected table.column")),
                };
                let t = self.table_mut(&table)?;
                let c = t
                    .columns
                    .iter_mut()
                    .find(|c| c.name == col)
                    .ok_or_else(|| {
                        format!("column {} is not declared earlier", table.child(&col))
                    })?;
                c.comment = comment.clone();
            }
            _ => {}
        }
        Ok(())
    }
}

/// The output column names of a view's query, when each is evident (a column, an alias, a
/// function's name); `None` when one is not (`*`, an unnamed expression).
fn view_columns(q: &sqlparser::ast::Query) -> Option<Vec<String>> {
    let SetExpr::Select(select) = q.body.as_ref() else {
        return None;
    };
    select
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(ident(alias)),
            SelectItem::UnnamedExpr(e) => match e {
                Expr::Identifier(i) => Some(ident(i)),
                Expr::CompoundIdentifier(parts) => parts.last().map(ident),
                Expr::Function(f) => f.name.0.last().and_then(|p| p.as_ident()).map(ident),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// A generated name free in `schema`'s namespace of `taken`, then taken.
fn choose_in(
    taken: &mut BTreeMap<String, BTreeSet<String>>,
    schema: &str,
    n1: &str,
    n2: Option<&str>,
    label: &str,
) -> String {
    let names = taken.entry(schema.to_string()).or_default();
    let name = names::choose(n1, n2, label, names);
    names.insert(name.clone());
    name
}

/// The kind of an ignored statement, for the summary: its first two keywords.
fn statement_kind(st: &Statement) -> String {
    let text = st.to_string();
    let words: Vec<&str> = text.split_whitespace().take(2).collect();
    match words.as_slice() {
        [first, second] if matches!(first.to_uppercase().as_str(), "CREATE" | "DROP" | "ALTER") => {
            format!("{} {}", first.to_uppercase(), second.to_uppercase())
        }
        [first, ..] => first.to_uppercase(),
        [] => "statement".into(),
    }
}
