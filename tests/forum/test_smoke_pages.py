from tests.forum.helpers import make_category, make_complaint, make_reply, make_thread


def test_pages_render(client, login, db):
    member = login("member")
    thread = make_thread(member)
    make_reply(thread)
    complaint = make_complaint(member)
    for path in ["/forum/", f"/forum/c/{thread.category.slug}", f"/forum/t/{thread.id}",
                 f"/forum/t/{complaint.thread_id}", "/forum/new", "/forum/search?q=Opening", "/"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.data[:2000])


def test_staff_pages_render(client, login, db):
    admin = login("admin")
    complaint = make_complaint()
    make_category("announcement")
    for path in ["/admin/complaints/", f"/forum/t/{complaint.thread_id}", "/admin/forum/flags",
                 "/admin/forum/acts", "/admin/forum/categories", "/admin/forum/categories/new",
                 "/admin/forum/canned", "/admin/forum/canned/new", "/admin/forum/departments",
                 f"/admin/forum/members/{complaint.thread.author_id}/silence"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.data[:3000])
    assert admin
