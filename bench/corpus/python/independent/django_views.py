# Independent SQL-injection evaluation corpus -- Django views.
# Covers Manager.raw(), QuerySet.extra(), RawSQL expressions,
# connection.cursor().execute() and ORM lookups.
#
# Labels (one per function, encoded in the name):
#   vuln_*  -- SQL text is assembled from request data (GET/POST/JSON/URL
#              kwargs), directly or via locals/helpers/dicts, so an attacker
#              can change the statement.
#   safe_*  -- request data only reaches the database as bound params
#              (params=[...], raw(sql, [..]), RawSQL(sql, (..))) or via the
#              ORM, or the SQL text is provably constant (constants,
#              allow-list values with constant defaults, int()-converted).
# Helpers/constants sit above the first labelled function. Written
# independently of the detector; patterns follow Django docs warnings and
# public advisories (e.g. extra()/RawSQL misuse seen in app-level CVEs).

import json

from django.db import connection, connections
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.http import Http404, JsonResponse
from django.views import View

from shop.models import Customer, Order, Product

PRODUCT_COLUMNS = "id, name, price, stock"
ORDERING = {
    "price": "price",
    "-price": "price DESC",
    "name": "name",
    "newest": "created_at DESC",
}
DEFAULT_PAGE_SIZE = 25


def dictfetchall(cursor):
    columns = [col[0] for col in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def run_select(query, params=None):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return dictfetchall(cursor)


class ProductStatsView(View):
    STATS_SQL = "SELECT category_id, COUNT(*) FROM shop_product"
    GROUP = " GROUP BY category_id"

    def get(self, request):
        return JsonResponse({})


def vuln_raw_percent_format(request):
    last_name = request.GET.get("last_name", "")
    people = Customer.objects.raw(
        "SELECT * FROM shop_customer WHERE last_name = '%s'" % last_name
    )
    return JsonResponse({"ids": [p.id for p in people]})


def safe_raw_with_params(request):
    last_name = request.GET.get("last_name", "")
    people = Customer.objects.raw(
        "SELECT * FROM shop_customer WHERE last_name = %s", [last_name]
    )
    return JsonResponse({"ids": [p.id for p in people]})


def vuln_raw_quoted_placeholder_then_format(request):
    # Django docs warn: quoting %s and then formatting it yourself is injectable.
    email = request.POST["email"]
    query = "SELECT * FROM shop_customer WHERE email = '%s'"
    qs = Customer.objects.raw(query % email)
    return JsonResponse({"found": len(list(qs))})


def safe_raw_translations_and_named_params(request):
    name_map = {"first": "first_name", "last": "last_name", "pk": "id"}
    customers = Customer.objects.raw(
        "SELECT first, last, pk FROM legacy_people WHERE city = %(city)s",
        params={"city": request.GET.get("city")},
        translations=name_map,
    )
    return JsonResponse({"n": len(list(customers))})


def vuln_extra_where_fstring(request):
    min_price = request.GET.get("min_price", "0")
    qs = Product.objects.extra(where=[f"price >= {min_price}"])
    return JsonResponse({"n": qs.count()})


def safe_extra_where_with_params(request):
    min_price = request.GET.get("min_price", "0")
    qs = Product.objects.extra(where=["price >= %s"], params=[min_price])
    return JsonResponse({"n": qs.count()})


def vuln_extra_select_user_expression(request):
    expr = request.GET.get("score", "price * 1")
    qs = Product.objects.extra(select={"score": "SELECT " + expr})
    return JsonResponse({"scores": list(qs.values_list("score", flat=True))})


def vuln_rawsql_annotation_format(request):
    currency = request.GET.get("currency", "EUR")
    qs = Order.objects.annotate(
        rate=RawSQL(
            "SELECT rate FROM fx_rates WHERE code = '{}'".format(currency), ()
        )
    )
    return JsonResponse({"n": qs.count()})


def safe_rawsql_annotation_params(request):
    currency = request.GET.get("currency", "EUR")
    qs = Order.objects.annotate(
        rate=RawSQL("SELECT rate FROM fx_rates WHERE code = %s", (currency,))
    )
    return JsonResponse({"n": qs.count()})


def vuln_cursor_order_by_get(request):
    order = request.GET.get("order", "name")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + PRODUCT_COLUMNS + " FROM shop_product ORDER BY " + order
        )
        rows = dictfetchall(cursor)
    return JsonResponse({"rows": rows})


def safe_cursor_order_by_allow_list(request):
    order = ORDERING.get(request.GET.get("order"), "id")
    page_size = min(int(request.GET.get("size", DEFAULT_PAGE_SIZE)), 100)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {PRODUCT_COLUMNS} FROM shop_product ORDER BY {order} LIMIT {page_size}"
        )
        rows = dictfetchall(cursor)
    return JsonResponse({"rows": rows})


def vuln_helper_receives_built_query(request, category_slug):
    query = "SELECT {} FROM shop_product p JOIN shop_category c ON c.id = p.category_id WHERE c.slug = '{}'".format(
        PRODUCT_COLUMNS, category_slug
    )
    return JsonResponse({"rows": run_select(query)})


def safe_helper_receives_constant_query_and_params(request, category_slug):
    query = (
        "SELECT " + PRODUCT_COLUMNS + " FROM shop_product p "
        "JOIN shop_category c ON c.id = p.category_id WHERE c.slug = %s"
    )
    return JsonResponse({"rows": run_select(query, [category_slug])})


def vuln_json_body_search_multiple_dbs(request):
    body = json.loads(request.body)
    terms = body.get("terms", [])
    where = ""
    for term in terms:
        if where:
            where += " OR "
        where += "name LIKE '%%" + term + "%%'"
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT id FROM shop_product WHERE " + where)
        ids = [r[0] for r in cursor.fetchall()]
    return JsonResponse({"ids": ids})


def safe_json_body_search_like_params(request):
    body = json.loads(request.body)
    terms = body.get("terms", [])
    where = " OR ".join(["name LIKE %s"] * len(terms))
    params = ["%" + t + "%" for t in terms]
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT id FROM shop_product WHERE " + where, params)
        ids = [r[0] for r in cursor.fetchall()]
    return JsonResponse({"ids": ids})


def safe_orm_filters(request):
    q = request.GET.get("q", "")
    qs = (
        Product.objects.filter(Q(name__icontains=q) | Q(description__icontains=q))
        .exclude(stock=0)
        .filter(price__lte=F("list_price"))
        .order_by("-created_at")
    )
    return JsonResponse({"ids": list(qs.values_list("id", flat=True))})


def vuln_cursor_dynamic_table_suffix(request):
    year = request.GET.get("year", "2024")
    table = "sales_" + year
    with connection.cursor() as cursor:
        cursor.execute("SELECT region, SUM(total) FROM %s GROUP BY region" % table)
        return JsonResponse({"rows": cursor.fetchall()})


def safe_cursor_int_year_table(request):
    year = int(request.GET.get("year", 2024))
    if not 2000 <= year <= 2100:
        raise Http404
    with connection.cursor() as cursor:
        cursor.execute("SELECT region, SUM(total) FROM sales_%d GROUP BY region" % year)
        return JsonResponse({"rows": cursor.fetchall()})


def safe_sql_passed_in_as_parameter(query, params):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def safe_class_constants_concat(request):
    query = ProductStatsView.STATS_SQL + " WHERE stock > %s" + ProductStatsView.GROUP
    with connection.cursor() as cursor:
        cursor.execute(query, [int(request.GET.get("min_stock", 0))])
        return JsonResponse({"rows": cursor.fetchall()})


def vuln_repr_quoting_is_not_escaping(request):
    sku = request.GET.get("sku", "")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM shop_product WHERE sku = {sku!r}")
        row = cursor.fetchone()
    return JsonResponse({"id": row[0] if row else None})
