"""Word lists the seeder draws from: names, job titles, streets and US places.

Phone numbers are built from real area codes with the 555 exchange; the 555-0100..0199
lines (reserved for fiction) are used first, then the rest of the 555 block.
"""

from __future__ import annotations

from typing import NamedTuple

# fmt: off
FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "Olivia", "Emma", "Ava", "Sophia", "Isabella", "Mia", "Amelia", "Harper", "Evelyn",
    "Abigail", "Emily", "Elizabeth", "Sofia", "Avery", "Ella", "Scarlett", "Grace", "Chloe",
    "Victoria", "Riley", "Aria", "Lily", "Aubrey", "Zoey", "Penelope", "Lillian", "Addison",
    "Layla", "Natalie", "Camila", "Hannah", "Brooklyn", "Zoe", "Nora", "Leah", "Savannah",
    "Audrey", "Claire", "Eleanor", "Skylar", "Ellie", "Samantha", "Stella", "Paisley",
    "Violet", "Mila", "Allison", "Alexa", "Anna", "Hazel", "Aaliyah", "Ariana", "Lucy",
    "Caroline", "Sarah", "Genesis", "Kennedy", "Sadie", "Gabriella", "Madelyn", "Adeline",
    "Maya", "Autumn", "Aurora", "Piper", "Hailey", "Arianna", "Kaylee", "Ruby", "Serenity",
    "Eva", "Naomi", "Nevaeh", "Alice", "Luna", "Bella", "Quinn", "Lydia", "Peyton", "Melanie",
    "Kylie", "Aubree", "Mackenzie", "Katherine", "Priya", "Mei", "Fatima", "Yuki", "Ana",
    "Lucia", "Ingrid", "Chiara", "Amara", "Nadia", "Rosa", "Jasmine", "Diana", "Julia",
    "Margaret", "Rachel",
)

MALE_FIRST_NAMES: tuple[str, ...] = (
    "Liam", "Noah", "William", "James", "Oliver", "Benjamin", "Elijah", "Lucas", "Mason",
    "Logan", "Alexander", "Ethan", "Jacob", "Michael", "Daniel", "Henry", "Jackson",
    "Sebastian", "Aiden", "Matthew", "Samuel", "David", "Joseph", "Carter", "Owen", "Wyatt",
    "John", "Jack", "Luke", "Jayden", "Dylan", "Grayson", "Levi", "Isaac", "Gabriel",
    "Julian", "Mateo", "Anthony", "Jaxon", "Lincoln", "Joshua", "Christopher", "Andrew",
    "Theodore", "Caleb", "Ryan", "Asher", "Nathan", "Thomas", "Leo", "Isaiah", "Charles",
    "Josiah", "Hudson", "Christian", "Hunter", "Connor", "Eli", "Ezra", "Aaron", "Landon",
    "Adrian", "Jonathan", "Nolan", "Jeremiah", "Easton", "Elias", "Colton", "Cameron",
    "Carson", "Robert", "Angel", "Maverick", "Nicholas", "Dominic", "Jaxson", "Greyson",
    "Adam", "Ian", "Austin", "Santiago", "Jordan", "Cooper", "Brayden", "Roman", "Evan",
    "Ezekiel", "Xavier", "Jose", "Jace", "Rahul", "Wei", "Kenji", "Omar", "Diego", "Marco",
    "Lars", "Tomasz", "Kwame", "Mohammed",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen",
    "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams",
    "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins",
    "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez",
    "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos",
    "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James",
    "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo",
    "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell", "Jenkins",
    "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
    "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson",
    "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno", "West",
    "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar",
    "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez",
    "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen",
    "Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson",
    "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon",
    "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd",
    "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt",
    "Garza", "Daniels", "Ferguson", "Nichols", "Stephens", "Soto", "Weaver", "Ryan",
    "Gardner", "Payne", "Grant", "Dunn", "Kowalski", "Okafor", "Nakamura", "Larsen",
    "Rossi", "Novak", "Singh", "Haddad", "Yamamoto", "O'Brien",
)

JOB_TITLES: tuple[str, ...] = (
    "Account Executive", "Senior Account Executive", "Sales Development Representative",
    "Sales Manager", "Regional Sales Director", "Customer Success Manager",
    "Support Engineer", "Senior Support Engineer", "Support Team Lead", "Network Engineer",
    "Senior Network Engineer", "VoIP Engineer", "Field Technician", "NOC Analyst",
    "Solutions Architect", "Product Manager", "Software Engineer", "Senior Software Engineer",
    "QA Engineer", "DevOps Engineer", "Data Analyst", "Marketing Manager",
    "Content Strategist", "Billing Specialist", "Accountant", "Controller",
    "HR Generalist", "Recruiter", "Office Manager", "Executive Assistant",
    "Provisioning Specialist", "Porting Specialist", "Training Coordinator",
    "Legal Counsel", "Procurement Specialist", "Facilities Coordinator",
    "Operations Manager", "Project Manager", "Chief Technology Officer", "VP of Sales",
)

STREET_NAMES: tuple[str, ...] = (
    "Oak", "Maple", "Cedar", "Pine", "Elm", "Willow", "Harbor", "Mission", "Broadway",
    "Park", "Lake", "Hill", "Sunset", "Ocean", "Palm", "Laurel", "Juniper", "Granite",
    "Market", "Grand", "Washington", "Lincoln", "Jefferson", "Madison", "Franklin",
    "Highland", "Meadow", "River", "Canyon", "Vista", "Ridge", "Orchard", "Mesa", "Sierra",
)

STREET_TYPES: tuple[str, ...] = ("Street", "Avenue", "Boulevard", "Drive", "Lane", "Road", "Way")

# fmt: on


class Place(NamedTuple):
    """A US area code with a city in it."""

    area_code: str
    city: str
    state: str
    zip: str
    timezone: str


# The demo company's offices. Work numbers (DIDs) and texting numbers come from these.
OFFICE_PLACES: tuple[Place, ...] = (
    Place("619", "San Diego", "CA", "92101", "America/Los_Angeles"),
    Place("858", "San Diego", "CA", "92121", "America/Los_Angeles"),
    Place("760", "Carlsbad", "CA", "92008", "America/Los_Angeles"),
    Place("213", "Los Angeles", "CA", "90012", "America/Los_Angeles"),
    Place("415", "San Francisco", "CA", "94105", "America/Los_Angeles"),
    Place("206", "Seattle", "WA", "98101", "America/Los_Angeles"),
    Place("303", "Denver", "CO", "80202", "America/Denver"),
    Place("512", "Austin", "TX", "78701", "America/Chicago"),
    Place("312", "Chicago", "IL", "60601", "America/Chicago"),
    Place("404", "Atlanta", "GA", "30303", "America/New_York"),
    Place("617", "Boston", "MA", "02110", "America/New_York"),
    Place("646", "New York", "NY", "10001", "America/New_York"),
    Place("305", "Miami", "FL", "33131", "America/New_York"),
)

# Everyone else's numbers: mobiles, homes, customers who text the company.
OTHER_PLACES: tuple[Place, ...] = (
    Place("442", "Oceanside", "CA", "92054", "America/Los_Angeles"),
    Place("949", "Irvine", "CA", "92618", "America/Los_Angeles"),
    Place("714", "Anaheim", "CA", "92805", "America/Los_Angeles"),
    Place("626", "Pasadena", "CA", "91101", "America/Los_Angeles"),
    Place("818", "Burbank", "CA", "91502", "America/Los_Angeles"),
    Place("909", "Ontario", "CA", "91764", "America/Los_Angeles"),
    Place("951", "Riverside", "CA", "92501", "America/Los_Angeles"),
    Place("916", "Sacramento", "CA", "95814", "America/Los_Angeles"),
    Place("408", "San Jose", "CA", "95113", "America/Los_Angeles"),
    Place("510", "Oakland", "CA", "94612", "America/Los_Angeles"),
    Place("650", "Palo Alto", "CA", "94301", "America/Los_Angeles"),
    Place("925", "Walnut Creek", "CA", "94596", "America/Los_Angeles"),
    Place("707", "Santa Rosa", "CA", "95404", "America/Los_Angeles"),
    Place("503", "Portland", "OR", "97204", "America/Los_Angeles"),
    Place("425", "Bellevue", "WA", "98004", "America/Los_Angeles"),
    Place("702", "Las Vegas", "NV", "89101", "America/Los_Angeles"),
    Place("480", "Scottsdale", "AZ", "85251", "America/Phoenix"),
    Place("602", "Phoenix", "AZ", "85004", "America/Phoenix"),
    Place("801", "Salt Lake City", "UT", "84111", "America/Denver"),
    Place("720", "Aurora", "CO", "80012", "America/Denver"),
    Place("214", "Dallas", "TX", "75201", "America/Chicago"),
    Place("713", "Houston", "TX", "77002", "America/Chicago"),
    Place("210", "San Antonio", "TX", "78205", "America/Chicago"),
    Place("612", "Minneapolis", "MN", "55401", "America/Chicago"),
    Place("314", "St. Louis", "MO", "63101", "America/Chicago"),
    Place("615", "Nashville", "TN", "37203", "America/Chicago"),
    Place("504", "New Orleans", "LA", "70112", "America/Chicago"),
    Place("414", "Milwaukee", "WI", "53202", "America/Chicago"),
    Place("317", "Indianapolis", "IN", "46204", "America/Indiana/Indianapolis"),
    Place("313", "Detroit", "MI", "48226", "America/Detroit"),
    Place("614", "Columbus", "OH", "43215", "America/New_York"),
    Place("412", "Pittsburgh", "PA", "15222", "America/New_York"),
    Place("215", "Philadelphia", "PA", "19107", "America/New_York"),
    Place("202", "Washington", "DC", "20001", "America/New_York"),
    Place("703", "Arlington", "VA", "22201", "America/New_York"),
    Place("919", "Raleigh", "NC", "27601", "America/New_York"),
    Place("704", "Charlotte", "NC", "28202", "America/New_York"),
    Place("407", "Orlando", "FL", "32801", "America/New_York"),
    Place("813", "Tampa", "FL", "33602", "America/New_York"),
    Place("718", "Brooklyn", "NY", "11201", "America/New_York"),
    Place("516", "Hempstead", "NY", "11550", "America/New_York"),
    Place("201", "Jersey City", "NJ", "07302", "America/New_York"),
    Place("860", "Hartford", "CT", "06103", "America/New_York"),
    Place("401", "Providence", "RI", "02903", "America/New_York"),
    Place("603", "Manchester", "NH", "03101", "America/New_York"),
    Place("808", "Honolulu", "HI", "96813", "Pacific/Honolulu"),
    Place("907", "Anchorage", "AK", "99501", "America/Anchorage"),
)

COMPANY_NAME = "Northwind Telecom"
COMPANY_DOMAIN = "northwindtelecom.com"
