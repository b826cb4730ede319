// Labelled corpus (ours): Spring Data repository methods whose SQL/JPQL is a compile-time
// constant in the @Query annotation with named or positional bind parameters: all safe_*.
// The annotation sits on the same line as the method so it falls inside that method's span.
package org.example.corpus;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface CustomerRepository extends JpaRepository<Customer, Long> {
    @Query("SELECT c FROM Customer c WHERE c.email = :email") public Customer safe_find_by_email_jpql(@Param("email") String email);

    @Query(value = "SELECT * FROM customers WHERE status = ?1 ORDER BY name", nativeQuery = true) public List<Customer> safe_find_by_status_native(String status);
}
